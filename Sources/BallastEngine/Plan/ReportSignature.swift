import BallastCrypto
import BallastCore

/// A JSON report's MAC (`--out-json` with `BALLAST_PLAN_KEY` set): HMAC-SHA256 over the report
/// without its `mac`, as a plan file's. `report merge` with the key set refuses a shard without
/// a matching one, so a shard edited in an artifact store cannot pass for a run's.
public enum ReportSignature {
    /// The report with its `mac` added.
    public static func sign(_ report: Value, key: [UInt8]) -> Value {
        guard case .map(var fields) = report else { return report }
        fields["mac"] = nil
        fields["mac"] = .string(PlanFile.mac(key: key, Array(JSON.encode(.map(fields)).utf8)))
        return .map(fields)
    }

    /// Throws unless `report` carries the MAC `key` makes; `name` is used in messages.
    public static func verify(_ report: Value, key: [UInt8], name: String) throws(ReportMergeError) {
        guard case .map(var fields) = report, let mac = fields.removeValue(forKey: "mac")?.string else {
            throw ReportMergeError("\(name) has no MAC, but \(PlanFile.keyVariable) is set: write every shard with "
                + "--out-json under the same key")
        }
        guard Checksum.constantTimeEqual(mac, PlanFile.mac(key: key, Array(JSON.encode(.map(fields)).utf8))) else {
            throw ReportMergeError(
                "\(name): its MAC does not match \(PlanFile.keyVariable): the report was edited, or "
                    + "written with another key")
        }
    }
}
