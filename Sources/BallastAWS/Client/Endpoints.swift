import BallastCore
/// Where a service's requests go: `AWS_ENDPOINT_URL_<SERVICE>`, then
/// `AWS_ENDPOINT_URL`, then the real regional endpoint (the SDKs' order).
public struct EndpointResolver: Sendable {
    let environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    public struct Endpoint: Sendable, Equatable {
        /// `https://logs.us-east-1.amazonaws.com`, no trailing slash.
        public let url: String
        /// Why this one: the variable that set it, or "default".
        public let source: String
    }

    public func endpoint(for service: AWSService, region: String) -> Endpoint {
        for variable in [service.endpointVariable, "AWS_ENDPOINT_URL"] {
            if let url = environment[variable], !url.isEmpty {
                return Endpoint(url: url.hasSuffix("/") ? String(url.dropLast()) : url, source: variable)
            }
        }
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        if let host = service.globalHost, suffix == "amazonaws.com" {
            return Endpoint(url: "https://" + host, source: "default")
        }
        return Endpoint(url: "https://\(service.endpointPrefix).\(region).\(suffix)", source: "default")
    }
}
