import BallastCrypto
import BallastCore
import BallastDesiredState
import BallastKinds
import FoundationEssentials

/// A plan saved by `ballast plan --out`, as `apply FILE` reads it back.
public struct SavedPlan: Sendable {
    public var revision: String
    public var environments: [String]
    /// The account the plan was made in; apply refuses a plan without one.
    public var account: String?
    public var changes: [PlannedChange]
    public var checksum: String
    /// The file's MAC was checked with `BALLAST_PLAN_KEY`.
    public var authenticated: Bool
}

/// The saved plan: the JSON report with `changes`, the account, a format version,
/// a checksum (SHA-256: finds a damaged file, not an edited one, since anyone can
/// recompute it) and, when `BALLAST_PLAN_KEY` is set, a MAC (HMAC-SHA256 with that
/// key: only a holder of the key can make one that matches). Whatever the file
/// says, apply writes only what a fresh plan of the desired state asks for.
public enum PlanFile {
    public static let version = 1
    public static let keyVariable = "BALLAST_PLAN_KEY"
    static let macPrefix = "hmac-sha256:"

    /// `hmac-sha256:HEX` of `content` under `key`: a plan file's MAC, and a report's.
    static func mac(key: [UInt8], _ content: [UInt8]) -> String {
        macPrefix + Checksum.hmacSHA256Hex(key: key, content)
    }

    /// The MAC key from the environment: nil when unset; too short a key is refused.
    public static func key(from environment: [String: String]) throws(PlanFileError) -> [UInt8]? {
        guard let text = environment[keyVariable], !text.isEmpty else { return nil }
        guard text.utf8.count >= 32 else {
            throw PlanFileError("\(keyVariable) must be at least 32 characters (for example `openssl rand -hex 32`)")
        }
        return Array(text.utf8)
    }

    public static func write(_ plan: Plan, account: String, key: [UInt8]?, to path: String) throws(PlanFileError) {
        guard case .map(var fields) = Secrets.scrub(plan.json) else { return }
        fields["planFormat"] = .int(version)
        fields["account"] = .string(account)
        let signed = JSON.encode(.map(fields))
        fields["checksum"] = .string(Checksum.sha256Hex(Array(signed.utf8)))
        if let key { fields["mac"] = .string(mac(key: key, Array(signed.utf8))) }
        do {
            try (JSON.encode(.map(fields), pretty: true) + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw PlanFileError("cannot write the plan to \(path): \(systemReason(error))")
        }
    }

    /// A damaged file, a wrong MAC, or a missing one while a key is set, is refused.
    /// Returns notes for the user (a MAC present but no key to check it).
    public static func read(_ path: String, key: [UInt8]?,
                            kinds: Kinds) throws(PlanFileError) -> (plan: SavedPlan, notes: [String]) {
        let bytes: [UInt8]
        do { bytes = try BoundedFile.read(path, maxBytes: maxBytes, what: "the plan file \(path)") } catch {
            throw PlanFileError(error.description)
        }
        return try decode(bytes, name: path, key: key, kinds: kinds)
    }

    /// A plan file larger than this is refused before it is read (100,000 changes fit).
    public static let maxBytes = 256 << 20

    /// The checks of `read` on a file's bytes; `name` is used in messages.
    public static func decode(_ bytes: [UInt8], name path: String, key: [UInt8]?,
                              kinds: Kinds) throws(PlanFileError) -> (plan: SavedPlan, notes: [String]) {
        guard case .map(var fields)? = try? JSON.parse(bytes) else {
            throw PlanFileError("\(path): not a ballast plan file")
        }
        guard fields["planFormat"] == .int(version) else {
            throw PlanFileError("\(path): plan format \(fields["planFormat"] ?? .null) is not \(version)")
        }
        let stated = fields.removeValue(forKey: "checksum")?.string
        let mac = fields.removeValue(forKey: "mac")?.string
        let signed = Array(JSON.encode(.map(fields)).utf8)
        guard let stated, stated == Checksum.sha256Hex(signed) else {
            throw PlanFileError("\(path): checksum does not match; the plan was damaged or edited")
        }
        var notes: [String] = []
        switch (key, mac) {
        case (let key?, let mac?):
            guard Checksum.constantTimeEqual(mac, Self.mac(key: key, signed)) else {
                throw PlanFileError("\(path): its MAC does not match \(keyVariable): the plan was edited, or "
                    + "made with another key")
            }
        case (.some, nil):
            throw PlanFileError("\(path): the plan has no MAC, but \(keyVariable) is set: "
                + "make it with `ballast plan --out` under the same key")
        case (nil, .some):
            notes.append("\(path) carries a MAC, but \(keyVariable) is not set here, so it was not checked")
        case (nil, nil):
            break
        }
        let listed = fields["changes"]?.list ?? []
        let changes = listed.compactMap { PlannedChange(json: $0, kinds: kinds.kind(for:)) }
        guard changes.count == listed.count else { throw PlanFileError("\(path): a change in it is malformed") }
        let plan = SavedPlan(revision: fields["revision"]?.string ?? "HEAD",
                             environments: (fields["environments"]?.list ?? []).compactMap { $0["name"]?.string },
                             account: fields["account"]?.string,
                             changes: changes,
                             checksum: stated, authenticated: key != nil)
        return (plan, notes)
    }

    /// The checksum of a plan made and applied in one run (for the journal).
    public static func checksum(_ plan: Plan) -> String {
        Checksum.sha256Hex(Array(JSON.encode(plan.json).utf8))
    }
}

/// A plan file that cannot be written, read or trusted.
public struct PlanFileError: ReportedError {
    public let description: String

    public init(_ message: String) { description = message }
}
