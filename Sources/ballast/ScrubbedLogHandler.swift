import BallastAWS
import BallastCore
import FoundationEssentials
import Logging

/// swift-log's lines (`watch`) on stderr, through the same scrubber and escaping as every other
/// output: `TIME LEVEL LABEL: key=value ... message`, metadata sorted by key.
struct ScrubbedLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let line = "\(Timestamp.iso8601(Date())) \(event.level) \(label): \(fields.isEmpty ? "" : fields + " ")"
            + "\(event.message)"
        Terminal.err(line)
    }
}
