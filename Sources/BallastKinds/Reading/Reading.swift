import BallastCore

/// The shapes every kind's reader takes: batched calls, or one call chain per
/// resource; both bounded, both turning failures into NOT_CHECKED for exactly
/// the resources they cover.
enum Reading {
    /// Call chains started at once per kind and region: the client's pacer decides how many
    /// calls are in flight (from each service's rate), this only bounds the tasks waiting for it.
    static let concurrency = 64

    /// One call (or page chain) per slice of `size` targets. A failed slice is
    /// NOT_CHECKED; `missing` error codes mean none of the slice exists.
    static func inBatches(
        _ targets: [LiveTarget], of size: Int, missing: Set<String> = [],
        _ read: @escaping @Sendable ([LiveTarget]) async throws -> [String: LiveRead]
    ) async -> [String: LiveRead] {
        await inGroups(chunks(targets, of: size), missing: missing, read)
    }

    /// Like `inBatches` for groups a kind forms itself (one ECS cluster's services).
    static func inGroups(
        _ batches: [[LiveTarget]], missing: Set<String> = [],
        _ read: @escaping @Sendable ([LiveTarget]) async throws -> [String: LiveRead]
    ) async -> [String: LiveRead] {
        let results = await bounded(batches) { batch -> [String: LiveRead] in
            do {
                return try await read(batch)
            } catch {
                let outcome: LiveRead = isMissing(error, missing) ? .missing : .failed(reason(error))
                return Dictionary(batch.map { ($0.id, outcome) }, uniquingKeysWith: { a, _ in a })
            }
        }
        return results.reduce(into: [:]) { $0.merge($1) { a, _ in a } }
    }

    static func chunks<T>(_ items: [T], of size: Int) -> [[T]] {
        stride(from: 0, to: items.count, by: size).map { Array(items[$0..<min($0 + size, items.count)]) }
    }

    /// One call chain per target. `missing` error codes mean it does not exist.
    static func each(_ targets: [LiveTarget], missing: Set<String>,
                     _ read: @escaping @Sendable (LiveTarget) async throws -> LiveRead) async -> [String: LiveRead] {
        // One-entry maps, not tuples: with a tuple result the release build got
        // nothing back from the task group (the debug build did).
        let results = await bounded(targets) { target -> [String: LiveRead] in
            do {
                return [target.id: try await read(target)]
            } catch {
                return [target.id: isMissing(error, missing) ? .missing : .failed(reason(error))]
            }
        }
        return results.reduce(into: [:]) { $0.merge($1) { a, _ in a } }
    }

    /// One container's targets (a Timestream database's tables, an event bus's rules) read from
    /// its listing: `page` answers one page (the token nil for the first) as (name, live) pairs.
    /// Paging stops once every target is found, or after as many pages as targets (a container of
    /// many undeclared members); a target not found by then is left out for the caller to read
    /// alone, and one missing from a complete listing is `missing`. So a read never costs more
    /// than twice the calls of reading each alone, and usually one call per page of members.
    static func listed(_ targets: [LiveTarget], name: (LiveTarget) -> String,
                       page: (String?) async throws -> (members: [(String, LiveRead)], next: String?))
        async throws -> [String: LiveRead] {
        var wanted = Dictionary(targets.map { (name($0), $0.id) }, uniquingKeysWith: { a, _ in a })
        var reads: [String: LiveRead] = [:]
        var token: String?
        for _ in 0..<targets.count {
            let answer = try await page(token)
            for (member, read) in answer.members {
                if let id = wanted.removeValue(forKey: member) { reads[id] = read }
            }
            guard !wanted.isEmpty, let next = answer.next, !next.isEmpty else {
                for id in wanted.values { reads[id] = .missing }
                return reads
            }
            token = next
        }
        return reads
    }

    /// Targets grouped by their container (a database, an event bus): a container of several is
    /// read from its listing (`listed`; `page` gets the container's targets and the token), a lone
    /// target, or one the listing left out, with `alone`. `missing` error codes mean not there.
    static func listedOrEach(_ targets: [LiveTarget], container: (LiveTarget) -> String, missing: Set<String>,
                             name: @escaping @Sendable (LiveTarget) -> String,
                             page: @escaping @Sendable ([LiveTarget], String?) async throws
                                 -> (members: [(String, LiveRead)], next: String?),
                             alone: @escaping @Sendable (LiveTarget) async throws -> LiveRead)
        async -> [String: LiveRead] {
        let groups = Dictionary(grouping: targets, by: container).values
        let listed = await inGroups(groups.filter { $0.count > 1 }, missing: missing) { members in
            try await Reading.listed(members, name: name) { token in try await page(members, token) }
        }
        let described = await each(targets.filter { listed[$0.id] == nil }, missing: missing, alone)
        return listed.merging(described) { a, _ in a }
    }

    /// The calls `listedOrEach` plans: `list` pages of `pageSize` per container of several
    /// targets, `each` per lone one.
    static func listedOrEachCalls(_ targets: [LiveTarget], container: (LiveTarget) -> String, pageSize: Int,
                                  list: APIOperation, each: APIOperation) -> [APIOperation: Int] {
        let groups = Dictionary(grouping: targets, by: container).values
        let pages = groups.filter { $0.count > 1 }.reduce(0) { $0 + batches($1.count, of: pageSize) }
        return [list: pages, each: groups.filter { $0.count == 1 }.count].filter { $0.value > 0 }
    }

    /// One call per container the targets are in (a REST API's stages in one GetStages).
    static func onePer(_ targets: [LiveTarget], _ container: (LiveTarget) -> String,
                       _ operation: APIOperation) -> [APIOperation: Int] {
        let containers = Set(targets.map(container)).count
        return containers > 0 ? [operation: containers] : [:]
    }

    /// The longest prefix the names share: a listing filtered by name prefix finds all of them.
    static func commonPrefix(_ names: [String]) -> String {
        guard var prefix = names.first else { return "" }
        for name in names.dropFirst() {
            while !name.hasPrefix(prefix) { prefix.removeLast() }
        }
        return prefix
    }

    /// Targets found in a batched answer are `found`; the rest do not exist.
    static func pair(
        _ targets: [LiveTarget], _ found: [String: [String: Value]],
        key: (String) -> String = { $0 }
    ) -> [String: LiveRead] {
        Dictionary(
            targets.map { ($0.id, found[key($0.id)].map(LiveRead.found) ?? .missing) }, uniquingKeysWith: { a, _ in a }
        )
    }

    /// Calls for `count` items `size` at a time.
    static func batches(_ count: Int, of size: Int) -> Int { (count + size - 1) / size }

    static func isMissing(_ error: Error, _ codes: Set<String>) -> Bool {
        (error as? AWSError).map { codes.contains($0.code) } ?? false
    }

    /// What NOT_CHECKED says: the operation, AWS's code and message.
    static func reason(_ error: Error) -> String {
        guard let aws = error as? AWSError else { return "\(error)" }
        return "\(aws.operation): \(aws.code)" + (aws.message.isEmpty ? "" : ": \(aws.message)")
    }

    /// Runs `body` over `items`, at most `limit` at a time, keeping no order.
    static func bounded<Item: Sendable, Result: Sendable>(
        _ items: [Item], limit: Int = concurrency,
        _ body: @escaping @Sendable (Item) async -> Result
    ) async -> [Result] {
        await withTaskGroup(of: Result.self) { group in
            var results: [Result] = []
            var next = items.makeIterator()
            for _ in 0..<limit {
                guard let item = next.next() else { break }
                group.addTask { await body(item) }
            }
            while let result = await group.next() {
                results.append(result)
                if let item = next.next() { group.addTask { await body(item) } }
            }
            return results
        }
    }
}
