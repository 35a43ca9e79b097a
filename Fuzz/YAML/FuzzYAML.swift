import BallastCore
import BallastDesiredState
import BallastKinds
import FuzzDriver

/// The loader with every kind's schema, built once for the whole run as `ballast` builds it once.
let loader = DesiredStateLoader(schemas: Kinds.builtIn.schemas)

/// libFuzzer entry: the input as a resource file of an environment, through the
/// YAML composer and every decoder (what `ballast validate` does with a file).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzYAML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let files = SourceFiles(desiredState: ["desired-state/prod/environment.yaml": Array("region: us-east-1\n".utf8),
                                           "desired-state/prod/fuzz.yaml": bytes],
                            policies: ["policies/fuzz.yaml": bytes])
    if let decoded = try? loader.decode(files) {
        for file in decoded.policyFiles { for document in file.documents { _ = document.value } }
    }
    return 0
}

@_cdecl("fuzz_yaml_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzYAML)
}
