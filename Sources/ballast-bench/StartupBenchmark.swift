import BallastTestSupport
import Foundation

/// How long the release binary takes to start and answer: `ballast --version`, and `ballast validate` of the
/// example repository (this project's `desired-state/` and `policies/`, committed in a scratch repository),
/// each run `runs` times after one warm-up; the share of runs under 50 ms (the startup goal), and the
/// binary's size and the shared libraries it loads.
enum StartupBenchmark {
    static func run(_ arguments: [Int]) throws {
        let runs = arguments.count > 0 ? arguments[0] : 50
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let binary = ProcessInfo.processInfo.environment["BALLAST_BENCH_BINARY"]
            ?? here.appendingPathComponent("ballast").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestFailure("no ballast at \(binary): swift build -c release --product ballast first")
        }
        let project = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let repo = try TempRepository()
        for folder in ["desired-state", "policies"] {
            try FileManager.default.copyItem(atPath: project.appendingPathComponent(folder).path,
                                             toPath: repo.path + "/" + folder)
        }
        try repo.commit(message: "example")
        let size = (try FileManager.default.attributesOfItem(atPath: binary)[.size] as? Int) ?? 0
        let libraries = try Run.process("/usr/bin/ldd", [binary]).stdout.split(separator: "\n")
            .compactMap { $0.split(separator: " ").first.map(String.init) }.filter { !$0.hasPrefix("linux-vdso") }
        print("ballast startup: \(binary) (\(size / 1_048_576) MiB, \(libraries.count) shared libraries), "
            + "\(runs) runs each")
        for (label, arguments) in [("ballast --version", ["--version"]),
                                   ("ballast validate (the example repository)", ["validate", "--repo", repo.path])] {
            var seconds: [Double] = []
            for n in 0...runs {
                let start = DispatchTime.now().uptimeNanoseconds
                let result = try Run.process(binary, arguments)
                let took = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                guard result.status == 0 else { throw TestFailure("\(label) failed: \(result.stderr)") }
                if n > 0 { seconds.append(took) }  // the first run warms the page cache
            }
            seconds.sort()
            let under = seconds.filter { $0 < 0.050 }.count
            print(String(format: "  %@ min %.1f ms   median %.1f ms   p90 %.1f ms   under 50 ms: %d of %d",
                         label.padding(toLength: 44, withPad: " ", startingAt: 0), seconds[0] * 1000,
                         seconds[seconds.count / 2] * 1000, seconds[seconds.count * 9 / 10] * 1000, under,
                         seconds.count))
        }
    }
}
