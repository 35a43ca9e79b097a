import BallastCore
import BallastEngine

/// libFuzzer entry: the input as a resource file of an environment, through the
/// YAML composer and every decoder (what `ballast validate` does with a file).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzYAML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let files = SourceFiles(desiredState: ["desired-state/prod/environment.yaml": Array("region: us-east-1\n".utf8),
                                           "desired-state/prod/fuzz.yaml": bytes],
                            policies: ["policies/fuzz.yaml": bytes])
    if let decoded = try? DesiredStateLoader().decode(files) {
        for file in decoded.policyFiles { for document in file.documents { _ = document.value } }
    }
    return 0
}

/// SwiftPM links an executable's entry point as `fuzz_yaml_main` (its module name);
/// it hands the arguments to libFuzzer's driver, which calls the entry above.
@_cdecl("fuzz_yaml_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, fuzzYAML)
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt
