import BallastCore

/// Pagination for the token styles AWS uses: `nextToken`/`NextToken` (json)
/// and `NextToken`/`Marker` (query).
public extension AWSClient {
    /// Every page of a json-protocol list call. `token` is the field name used
    /// both in the request and the answer (`nextToken` for Logs, `NextToken` for others).
    func jsonPages(_ service: AWSService, _ operation: String, _ input: [String: Value] = [:],
                   token: String = "nextToken", maxPages: Int = 10_000) async throws -> [Value] {
        var pages: [Value] = []
        var request = input
        while pages.count < maxPages {
            let page = try await json(service, operation, .map(request))
            pages.append(page)
            guard let next = page[token]?.string, !next.isEmpty else { break }
            request[token] = .string(next)
        }
        return pages
    }

    /// Every page of a query-protocol list call (`NextToken` or `Marker`).
    func queryPages(_ service: AWSService, _ action: String, _ parameters: [String: String] = [:],
                    token: String = "NextToken", answerToken: String? = nil, maxPages: Int = 10_000) async throws -> [XMLNode] {
        var pages: [XMLNode] = []
        var request = parameters
        while pages.count < maxPages {
            let page = try await query(service, action, request)
            pages.append(page)
            guard let next = page.child(answerToken ?? token)?.text, !next.isEmpty else { break }
            request[token] = next
        }
        return pages
    }
}
