import BallastTestSupport
import Foundation
import Testing

/// The tests' process runner under what the suite does to it: hundreds of descriptors open
/// (loopback servers' sockets) while many children start at once, each child holding only its own
/// three. Foundation's `Process.run()` over-read a buffer listing `/proc/self/fd` and crashed the
/// suite now and then (CI, 2026-12-02; swift-corelibs-foundation #5472); the over-read crashes only
/// when the buffer ends at an unmapped page, so this test does not make the old runner crash on
/// demand: it holds the new one to what the old one did.
@Suite struct RunProcessTests {
    @Test func manyChildrenStartWhileManyDescriptorsAreOpen() async throws {
        let held = (0..<1_500).map { _ in open("/dev/null", O_RDONLY) }
        defer { held.forEach { close($0) } }
        #expect(held.allSatisfy { $0 >= 0 })
        let statuses = try await withThrowingTaskGroup(of: [Int32].self) { group in
            for worker in 0..<8 {
                group.addTask {
                    try (0..<40).map { _ in try Run.process("/bin/sh", ["-c", "exit \(worker)"]).status }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(statuses.count == 320)
        #expect(Set(statuses) == Set(0..<8))
        // The child holds none of them: only its own three.
        let count = try Run.process("/bin/sh", ["-c", "ls /proc/self/fd | wc -l"]).stdout
        #expect(Int(count.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 99 <= 5, "\(count)")
    }
}
