import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// `watch` under attack and under failure: a flood of half-sent requests does not starve its
/// passes, /healthz tells a probe when passes fail, and an address it cannot bind stops it
/// before any pass (so --self-heal never applies without its server).
@Suite struct WatchHardeningTests {
    func repository() async throws -> (TempRepository, String) {
        let group = "/ballast/" + uniqueName("harden")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        return (try TempRepository.desiredState("  - {type: AWS::Logs::LogGroup, id: \(group), "
            + "properties: {RetentionInDays: 30}}\n"),
                group)
    }

    /// (HTTP status, body) of GET path; status 0 when nothing answered.
    func fetch(_ watch: WatchTests.Watch, _ path: String) throws -> (Int, String) {
        let result = try Run.process("/usr/bin/env", ["curl", "-sS", "--max-time", "5", "-w", "\n%{http_code}",
                                                      "http://127.0.0.1:\(watch.port)\(path)"])
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    @Test func healthzTurnsUnhealthyAfterThreeFailedPasses() async throws {
        let (repo, _) = try await repository()
        // AWS cannot be reached: every pass reads nothing.
        let closed = "http://127.0.0.1:\(try LoopbackPort.free())"
        let watch = try WatchTests.Watch(["--interval", "1s"], repo: repo,
                                         environment: ["AWS_ENDPOINT_URL": closed, "AWS_MAX_ATTEMPTS": "1"])
        var answer = (0, "")
        let started = Date()
        while Date().timeIntervalSince(started) < 60 {
            answer = try fetch(watch, "/healthz")
            if answer.0 == 503 { break }
            try await Task.sleep(for: .seconds(0.3))
        }
        #expect(answer.0 == 503, "\(answer) \(watch.stderr)")
        let json = try JSON.parse(answer.1)
        #expect(json["status"] == "unhealthy")
        #expect(json["problems"]?[0]?.string?.hasSuffix("passes in a row failed") == true, "\(json)")
        #expect(try watch.stop() == 0)
    }

    @Test func anAddressItCannotBindStopsItBeforeAnyPass() async throws {
        let (repo, group) = try await repository()
        let taken = try LoopbackHTTPServer { _ in .drop }
        let watch = try WatchTests.Watch(["--interval", "1s", "--self-heal", "--listen", "127.0.0.1:\(taken.port)"],
                                         repo: repo)
        let started = Date()
        while watch.process.isRunning, Date().timeIntervalSince(started) < 30 {
            try await Task.sleep(for: .seconds(0.1))
        }
        #expect(!watch.process.isRunning)
        #expect(watch.process.terminationStatus == 1, "\(watch.stderr)")
        #expect(watch.stderr.contains("cannot serve on 127.0.0.1:\(taken.port)"), "\(watch.stderr)")
        #expect(!watch.stderr.contains(" run"), "no pass ran: \(watch.stderr)")
        #expect(try await liveRetention(group) == 7, "nothing was healed")
    }

    @Test func aFloodOfHalfSentRequestsNeitherExhaustsDescriptorsNorStopsPasses() async throws {
        let (repo, _) = try await repository()
        let watch = try WatchTests.Watch(["--interval", "1s"], repo: repo)
        _ = try watch.lastRun()
        let pid = watch.process.processIdentifier
        func descriptors() -> Int {
            (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
        }
        let before = descriptors()
        func passes() -> Int { watch.stderr.split(separator: "\n").filter { $0.contains(" run") }.count }
        // 600 connections, each sending half a request's headers and then nothing.
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        for _ in 0..<600 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(watch.port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var flags = fcntl(fd, F_GETFL)
            flags |= O_NONBLOCK
            _ = fcntl(fd, F_SETFL, flags)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            sockets.append(fd)
        }
        try await Task.sleep(for: .seconds(0.5))
        let half = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: "
        for fd in sockets { _ = half.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }
        let passesBefore = passes()
        try await Task.sleep(for: .seconds(4))
        let during = descriptors()
        #expect(during - before <= 80, "descriptors: \(before) before, \(during) during the flood")
        #expect(passes() >= passesBefore + 2, "passes went on: \(watch.stderr.suffix(2000))")
        #expect(!watch.stderr.contains("Too many open files"))
        print("watch descriptors: \(before) before, \(during) during 600 half-sent requests")
        #expect(try watch.stop() == 0)
    }

    /// A connection to `watch`, blocking, whose reads give up after `timeout` seconds.
    func connected(_ port: Int, timeout: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var wait = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return fd
    }

    /// What the server sends until it closes or `timeout` passes; `closed` when it closed.
    func answer(_ fd: Int32, sending text: String) -> (text: String, closed: Bool) {
        _ = text.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 4096, 0) }
            if count == 0 { return (String(decoding: received, as: UTF8.self), true) }
            if count < 0 { return (String(decoding: received, as: UTF8.self), false) }
            received += buffer.prefix(count)
        }
    }

    /// The two limits README names: a connection that stops sending is closed after the 10 s idle
    /// timeout, and a request whose headers pass 16 KiB is not served.
    @Test func anIdleConnectionIsClosedAndOversizedHeadersAreRefused() async throws {
        let (repo, _) = try await repository()
        let watch = try WatchTests.Watch(["--interval", "1s"], repo: repo)
        _ = try watch.lastRun()
        let big = connected(watch.port, timeout: 5)
        defer { close(big) }
        let huge = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 20_000) + "\r\n\r\n"
        let refused = answer(big, sending: huge)
        #expect(!refused.text.hasPrefix("HTTP/1.1 200"), "\(refused.text.prefix(200))")
        let idle = connected(watch.port, timeout: 20)
        defer { close(idle) }
        let started = Date()
        let silent = answer(idle, sending: "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        let waited = Date().timeIntervalSince(started)
        #expect(silent.closed, "the server kept a silent connection open for \(waited) s")
        #expect(waited >= 9 && waited < 19, "closed after \(waited) s")
        #expect(try watch.stop() == 0)
    }
}
