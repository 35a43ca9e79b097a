import BallastCore
import BallastDesiredState
import BallastKinds
import Foundation

// `ballast validate` built from the targets it needs and nothing else: the desired-state loader,
// the kinds' schemas, policies, YAML and git. Neither BallastAWS nor libcurl is linked into this
// program; `ValidateWithoutAWSTests` checks that and that it answers as `ballast validate` does.
// Usage: validate-without-aws REPOSITORY
let path = CommandLine.arguments.dropFirst().first ?? "."
func standardError(_ line: String) {
    FileHandle.standardError.write(Data((UntrustedText.block(line) + "\n").utf8))
}
do {
    let loaded = try DesiredStateLoader(kinds: Kinds.builtIn)
        .load(LoadRequest(repositoryPath: path))
    for note in loaded.notes { standardError("note: " + note) }
    let validation = Validation(loaded)
    FileHandle.standardOutput.write(Data(UntrustedText.block(validation.report).utf8))
    if let denial = validation.denial { standardError("error: " + denial) }
    exit(validation.failed ? 1 : 0)
} catch {
    standardError("error: \(error)")
    exit(1)
}
