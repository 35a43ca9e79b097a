/// The operations moto lacks, answered in front of one moto server (`MotoServer.standIns`) as
/// botocore's models and AWS's API references describe them; the README lists them.
public final class StandIns: Sendable {
    public let budgets = BudgetsStandIn()
    public let lambda: LambdaStandIn
    public let apiGatewayV2: ApiGatewayV2StandIn
    public let elastiCache = ElastiCacheStandIn()
    public let cloudControl: CloudControlStandIn
    public let registry = RegistryStandIn()
    public let cloudTrail = CloudTrailStandIn()

    init(motoPort: Int) {
        lambda = LambdaStandIn(motoPort: motoPort)
        apiGatewayV2 = ApiGatewayV2StandIn(motoPort: motoPort)
        cloudControl = CloudControlStandIn(motoPort: motoPort)
    }

    /// A stand-in's answer, or nil when the request is moto's.
    func answer(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Reply? {
        if let answer = cloudTrail.answer(request) { return answer }
        // Every write, to moto or to a stand-in, is one CloudTrail would record.
        cloudTrail.observe(request)
        return budgets.answer(request) ?? lambda.answer(request) ?? apiGatewayV2.answer(request)
            ?? elastiCache.answer(request) ?? cloudControl.answer(request) ?? registry.answer(request)
    }
}
