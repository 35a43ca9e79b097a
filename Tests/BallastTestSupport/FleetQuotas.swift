import Foundation
import Glibc

/// AWS's documented quotas (`AWSQuotas`) of every account of a fleet, kept as AWS keeps them: one token
/// bucket per account and quota, whoever calls. The buckets live in a file every shard process maps, so
/// shards that run at once draw on one bucket, as a CI matrix's jobs reading one account do; `flock`
/// orders their updates, and `CLOCK_MONOTONIC` (one clock for every process on the machine) refills them.
///
/// The file is a table of `slots` entries of three 8-byte words: the name's FNV-1a hash (0 for a free
/// entry), the tokens left, and when they were counted (seconds of the monotonic clock), found by linear
/// probing. A new file is all zeros: every bucket starts full.
public final class FleetQuotas: @unchecked Sendable {
    static let slots = 16_384
    private let descriptor: Int32
    private let table: UnsafeMutablePointer<UInt64>

    /// Maps `path`, made (zeroed) if it is new; every process of one fleet run gives the same path.
    public init(path: String) throws {
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw TestFailure("fleet quotas: cannot open \(path): errno \(errno)") }
        let size = Self.slots * 3 * 8
        guard ftruncate(descriptor, off_t(size)) == 0,
              let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0),
              mapped != MAP_FAILED else {
            close(descriptor)
            throw TestFailure("fleet quotas: cannot map \(path): errno \(errno)")
        }
        table = mapped.bindMemory(to: UInt64.self, capacity: Self.slots * 3)
    }

    deinit {
        munmap(table, Self.slots * 3 * 8)
        close(descriptor)
    }

    /// Seconds of `CLOCK_MONOTONIC`: one clock for every process on the machine.
    public static func now() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// Takes a token of `quota` in `account`'s bucket at `seconds` (`now()`); false (throttled) when none is left.
    public func take(_ quota: AWSQuotas.Quota, account: String, at seconds: Double = now()) -> Bool {
        let hash = Self.hash(account + " " + quota.bucket)
        flock(descriptor, LOCK_EX)
        defer { flock(descriptor, LOCK_UN) }
        var slot = Int(hash % UInt64(Self.slots)), probes = 0
        while table[slot * 3] != 0 && table[slot * 3] != hash {
            slot = (slot + 1) % Self.slots
            probes += 1
            precondition(probes < Self.slots, "fleet quotas: more buckets than the table holds")
        }
        let isNew = table[slot * 3] == 0
        var tokens = isNew ? quota.burst : Double(bitPattern: table[slot * 3 + 1])
        let at = isNew ? seconds : Double(bitPattern: table[slot * 3 + 2])
        tokens = min(quota.burst, tokens + max(0, seconds - at) * quota.perSecond)
        let allowed = tokens >= 1
        if allowed { tokens -= 1 }
        table[slot * 3] = hash
        table[slot * 3 + 1] = tokens.bitPattern
        table[slot * 3 + 2] = max(at, seconds).bitPattern
        return allowed
    }

    /// FNV-1a, 64 bits, never 0 (the mark of a free entry): the same in every process, as Swift's
    /// seeded `Hasher` is not.
    static func hash(_ name: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash == 0 ? 1 : hash
    }
}
