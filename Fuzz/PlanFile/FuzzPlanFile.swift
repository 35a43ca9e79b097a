import BallastCore
import BallastEngine
import BallastKinds
import FuzzDriver

/// The kinds, built once for the whole run as `ballast` builds them once.
let kinds = Kinds.builtIn

/// libFuzzer entry: the input as a saved plan file, with and without a MAC key.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPlanFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? PlanFile.decode(bytes, name: "fuzz.plan.json", key: nil, kinds: kinds)
    _ = try? PlanFile.decode(bytes, name: "fuzz.plan.json", key: Array("0123456789abcdef0123456789abcdef".utf8),
                          kinds: kinds)
    if let value = try? JSON.parse(bytes) { _ = JSON.encode(value, pretty: true) }
    return 0
}

@_cdecl("fuzz_planfile_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzPlanFile)
}
