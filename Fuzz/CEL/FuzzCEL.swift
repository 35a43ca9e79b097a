import BallastCore
import FuzzDriver

/// libFuzzer entry: the input as a policy's `assert`, lexed, parsed and evaluated
/// against a resource with a few properties and a change.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCEL(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let expression = try? CELExpression(source) else { return 0 }
    let properties: Value = ["RetentionInDays": 30, "MinSize": 2, "Name": "api-prod", "Actions": ["a", "b"],
                             "Throughput": ["ReadCapacityUnits": 5, "Ratio": 0.5], "Enabled": true]
    let variables: [String: CELValue] = [
        "properties": CELValue(properties), "before": CELValue(["DesiredCapacity": 4]), "after": CELValue(["DesiredCapacity": 9]),
        "resource": CELValue(["type": "AWS::Logs::LogGroup", "id": "/aws/x"]), "environment": CELValue("prod"),
    ]
    _ = try? expression.evaluate(variables)
    return 0
}

@_cdecl("fuzz_cel_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzCEL)
}
