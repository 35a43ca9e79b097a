import BallastCore
import BallastTestSupport
import Foundation
import Testing

extension Tag {
    /// Minutes, not seconds: a release build, a Debian root, an image. CI runs them with the rest;
    /// `swift test --skip ReleaseTests` leaves them out of a quick local run.
    @Tag static var slow: Self
}

/// The release: `scripts/release.sh`'s archive, tried on Debian 12, Debian 13, Ubuntu 24.04 and Ubuntu 22.04
/// roots that never had Swift (debootstrap, then chroot), and the Containerfile's image built from it (buildah).
@Suite(.serialized, .tags(.slow)) struct ReleaseTests {
    @Test func theArchiveHoldsTheBinaryItsLicenceAndItsRuntimePackages() async throws {
        let archive = try await Release.shared.archive()
        let listing = try Run.process("/usr/bin/env", ["tar", "-tzf", archive.path])
        #expect(listing.stdout.split(separator: "\n").sorted()
            == ["\(archive.name)/", "\(archive.name)/LICENSE", "\(archive.name)/README.md",
                "\(archive.name)/RUNTIME-PACKAGES", "\(archive.name)/ballast"], "\(listing.stdout)")
        let sums = try Run.process("/usr/bin/env", ["sha256sum", "--check", "SHA256SUMS"], cwd: archive.folder)
        #expect(sums.status == 0 && sums.stdout == "\(archive.name).tar.gz: OK\n", "\(sums.stdout)\(sums.stderr)")
        // libgit2 is linked in: its soname is another on each system. The rest, each system's package.
        #expect(Set(["ca-certificates", "libcurl4", "libyaml-0-2", "libssl3"])
            .isSubset(of: archive.packages(for: "bookworm")), "\(archive.runtimeLines)")
        #expect(Set(["ca-certificates", "libcurl4t64", "libyaml-0-2", "libssl3t64"])
            .isSubset(of: archive.packages(for: "trixie")), "\(archive.runtimeLines)")
        #expect(!archive.runtimeLines.joined().contains { $0.hasPrefix("libgit2") }, "\(archive.runtimeLines)")

        let unpacked = try archive.unpack()
        defer { try? FileManager.default.removeItem(atPath: unpacked) }
        let binary = unpacked + "/" + archive.name + "/ballast"
        let needed = try Run.process("/usr/bin/env", ["readelf", "-d", binary]).stdout
        #expect(!needed.contains("libswift") && !needed.contains("libFoundation") && !needed.contains("libgit2")
                    && !needed.contains("libxml2"), "\(needed)")
        // The newest glibc symbol version it needs, said in RUNTIME-PACKAGES: 2.35 or older runs on Ubuntu
        // 22.04 too (Debian 12 has 2.36, Debian 13 2.41, Ubuntu 24.04 2.39).
        let symbols = try Run.process("/usr/bin/env", ["objdump", "-T", binary]).stdout
        let glibc = Set(symbols.matches(of: /GLIBC_(\d+)\.(\d+)/).map { (Int($0.1) ?? 0, Int($0.2) ?? 0) }
            .map { "\($0.0).\($0.1)" })
        let newest = glibc.max { $0.compare($1, options: .numeric) == .orderedAscending } ?? ""
        #expect(newest.compare("2.35", options: .numeric) != .orderedDescending, "needs glibc \(newest)")
        let said = try String(contentsOfFile: unpacked + "/" + archive.name + "/RUNTIME-PACKAGES", encoding: .utf8)
        #expect(said.contains("glibc GLIBC_\(newest) or later"), "\(said)")
        let sections = try Run.process("/usr/bin/env", ["readelf", "-S", binary]).stdout
        #expect(!sections.contains(".symtab") && !sections.contains(".debug_info"), "not stripped")
        let version = try Run.process(binary, ["--version"])
        #expect(version.stdout.hasPrefix("ballast \(BallastVersion.current)\ncommit: \(Release.head)"),
                "\(version.stdout)")
        #expect(version.stdout.contains("built: 20"), "\(version.stdout)")
        // The watch in the archive's binary (NIO and Hummingbird linked in, no symbol exported): a pass
        // against moto, then /healthz, /metrics and the status page.
        let group = uniqueName("/ballast/release-watch")
        _ = try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 14])
        let repo = try TempRepository.desiredState(Fixture.logGroup(group, days: 30)
            .replacingOccurrences(of: "resources:\n", with: ""))
        let watch = try WatchTests.Watch(["--interval", "1h"], repo: repo, binary: binary)
        let pass = try watch.lastRun()
        #expect(pass["outcome"]?.string == "drift", "\(pass)\n\(watch.stderr)")
        #expect(try watch.metrics()["ballast_resources{environment=test,status=modified}"] == 1)
        #expect(try watch.get("/")?.contains("<html") == true)
        #expect(try watch.stop(SIGTERM) == 0)
        print("""
            release archive: \(archive.name).tar.gz \(archive.kibibytes) KiB \
            (binary \(Release.kibibytes(binary)) KiB), needs glibc \(newest), \
            built by scripts/release.sh in \(Int(archive.seconds)) s
            """)
    }

    /// Debian 12 (bookworm), Debian 13 (trixie), Ubuntu 24.04 (noble, GitHub's ubuntu-latest) and Ubuntu
    /// 22.04 (jammy, glibc 2.35), each a root with only the packages RUNTIME-PACKAGES names for it: the
    /// archive's libraries are found, and it reads a repository and AWS there.
    @Test(arguments: ["bookworm", "trixie", "noble", "jammy"])
    func theArchiveRunsOnADebianRootThatNeverHadSwift(suite: String) async throws {
        let archive = try await Release.shared.archive()
        let start = Date()
        let root = try await Release.shared.debianRoot(suite, packages: archive.packages(for: suite))
        let chroot = { (arguments: [String], environment: [String: String]) throws -> Run.Result in
            try Release.run(in: root.path, arguments, environment)
        }
        // Unpacked as a user would, by the root's own tar.
        try FileManager.default.copyItem(atPath: archive.path, toPath: root.path + "/tmp/" + archive.name + ".tar.gz")
        let unpack = try chroot(["tar", "-xzf", "/tmp/\(archive.name).tar.gz", "-C", "/opt"], [:])
        try #require(unpack.status == 0, "\(unpack.stderr)")
        let binary = "/opt/\(archive.name)/ballast"

        let ldd = try chroot(["ldd", binary], [:])
        let missing = ldd.stdout.split(separator: "\n").filter { $0.contains("not found") }
            .map { $0.split(separator: " ").first.map(String.init) ?? String($0) }
        #expect(ldd.status == 0 && missing.isEmpty, "missing shared libraries: \(missing.joined(separator: ", "))")
        #expect(!ldd.stdout.contains("/opt/swift"), "\(ldd.stdout)")

        let version = try chroot([binary, "--version"], [:])
        #expect(version.status == 0 && version.stdout.hasPrefix("ballast \(BallastVersion.current)\n"),
                "\(version.stdout)\(version.stderr)")

        // The project's example repository, committed afresh (the chroot has no git; ballast reads it
        // through libgit2).
        let example = root.path + "/work/example-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: example, withIntermediateDirectories: true)
        for folder in ["desired-state", "policies"] {
            try FileManager.default.copyItem(atPath: Release.project + "/" + folder, toPath: example + "/" + folder)
        }
        let commit = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "example"]
        for arguments in [["init", "-q", "-b", "main"], ["add", "-A"], commit] {
            let git = try Run.process("/usr/bin/env", ["git"] + arguments, cwd: example)
            try #require(git.status == 0, "\(git.stderr)")
        }
        let validate = try chroot([binary, "validate", "--repo", String(example.dropFirst(root.path.count))], [:])
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")

        // Drift against moto on loopback (a chroot shares the network): HTTP through libcurl, SigV4
        // through libcrypto, the repository through libgit2, YAML through libyaml.
        let group = uniqueName("/ballast/release")
        _ = try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 14])
        let repo = try TempRepository.desiredState(Fixture.logGroup(group, days: 30)
            .replacingOccurrences(of: "resources:\n", with: ""))
        let drift = "/work/drift-" + UUID().uuidString.prefix(8)
        try FileManager.default.copyItem(atPath: repo.path, toPath: root.path + drift)
        let drifted = try chroot([binary, "drift", "--repo", drift, "--output", "json"],
                               MotoServer.shared.environment)
        let seconds = Date().timeIntervalSince(start)
        #expect(drifted.status == 2, "\(drifted.stdout)\(drifted.stderr)")
        let report = try JSON.parse(drifted.stdout)
        let differences = report["environments"]?[0]?["resources"]?[0]?["differences"]?.list ?? []
        #expect(differences == [difference("/RetentionInDays", 30, 14)], "\(drifted.stdout)")
        print("""
            \(Release.systems[suite]?.name ?? suite) root (\(suite)): debootstrap --variant=minbase with \
            \(archive.packages(for: suite).count) \
            runtime packages in \(Int(root.seconds)) s; from nothing to `ballast drift` in the chroot: \
            \(Int(seconds)) s
            """)
    }

    /// The install-ballast action's install step on this Debian 12 machine, with the archive just made
    /// (as its download step leaves it): unpacked, its packages installed, its folder on GITHUB_PATH.
    @Test func theInstallActionInstallsTheArchiveItDownloaded() async throws {
        guard getuid() == 0 else { try Test.cancel("apt-get install needs root (CI runs as root)") }
        let archive = try await Release.shared.archive()
        let install = try #require(try InstallActionTests.scripts()["Install the archive and its runtime packages"])
        let runner = try InstallActionTests.Runner()
        let folder = runner.folder + "/temp/ballast-release"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: archive.path, toPath: folder + "/" + archive.name + ".tar.gz")
        let path = runner.folder + "/github-path"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let (result, _) = try runner.run(install, ["NAME": archive.name, "FOLDER": folder, "GITHUB_PATH": path,
                                                   "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"])
        #expect(result.status == 0, "\(result.stdout.suffix(2_000))\(result.stderr.suffix(2_000))")
        #expect(result.stdout.contains("ballast \(BallastVersion.current)\ncommit: \(Release.head)"),
                "\(result.stdout)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == folder + "/" + archive.name + "\n")
    }

    /// The install step's other branch, on a system that lacks a library the binary loads: Debian 13's
    /// root (a copy) with libyaml taken out again. The step installs what RUNTIME-PACKAGES names for the
    /// system (of each line, the alternative its package lists know) with the system's apt-get, from
    /// Debian's mirror, and the binary runs.
    @Test func theInstallActionInstallsTheRuntimePackagesASystemLacks() async throws {
        let archive = try await Release.shared.archive()
        let made = try await Release.shared.debianRoot("trixie", packages: archive.packages(for: "trixie"))
        let root = Release.work + "/debian-root-trixie-lacking"
        try? FileManager.default.removeItem(atPath: root)
        let copy = try Run.process("/usr/bin/env", ["cp", "-a", made.path, root])
        try #require(copy.status == 0, "\(copy.stderr)")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let purge = try Release.run(in: root, ["dpkg", "--purge", "--force-depends", "libyaml-0-2"], [:])
        try #require(purge.status == 0, "\(purge.stdout)\(purge.stderr)")

        let install = try #require(try InstallActionTests.scripts()["Install the archive and its runtime packages"])
        let folder = "/tmp/runner/temp/ballast-release", path = "/tmp/runner/github-path"
        try FileManager.default.createDirectory(atPath: root + folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: archive.path, toPath: root + folder + "/" + archive.name + ".tar.gz")
        _ = FileManager.default.createFile(atPath: root + path, contents: nil)
        let query = ["dpkg-query", "-W", "-f", "${Status}", "libyaml-0-2"]
        let before = try Release.run(in: root, query, [:])
        try #require(before.stdout != "install ok installed", "libyaml-0-2 is still installed")
        let start = Date()
        let result = try Release.run(in: root, ["bash", "-c", install],
                                     ["NAME": archive.name, "FOLDER": folder, "GITHUB_PATH": path])
        #expect(result.status == 0, "\(result.stdout.suffix(2_000))\(result.stderr.suffix(2_000))")
        #expect(result.stdout.contains("ballast \(BallastVersion.current)\ncommit: \(Release.head)"),
                "\(result.stdout)\(result.stderr.suffix(2_000))")
        let status = try Release.run(in: root, query, [:])
        #expect(status.stdout == "install ok installed", "\(status.stdout)\(status.stderr)")
        #expect(try String(contentsOfFile: root + path, encoding: .utf8) == folder + "/" + archive.name + "\n")
        print("install action on Debian 13 lacking libyaml: its packages installed by apt-get, "
              + "ballast --version ran, in \(Int(Date().timeIntervalSince(start))) s")
    }

    @Test func theContainerfileBuildsAnImageThatRunsBallastAsANonRootUser() async throws {
        guard let builder = Release.containerBuilder else {
            try Test.cancel("no container builder: \(Release.containerBuilderMissing ?? "")")
        }
        let archive = try await Release.shared.archive()
        let base = try await Release.shared.baseImage(packages: archive.packages(for: "bookworm"))
        let context = NSTemporaryDirectory() + "ballast-image-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: context) }
        try FileManager.default.createDirectory(atPath: context + "/dist", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: archive.path, toPath: context + "/dist/" + archive.name + ".tar.gz")
        try FileManager.default.copyItem(
            atPath: Release.project + "/Containerfile", toPath: context + "/Containerfile")

        let tag = "localhost/ballast-release-test:" + UUID().uuidString.prefix(8).lowercased()
        let start = Date()
        // chroot isolation: no OCI runtime, which cannot set its limits in this sandbox (crun's setrlimit
        // is refused); the RUN steps still reach Debian's mirror.
        let build = try Run.process(builder, ["build", "--isolation", "chroot", "--build-arg", "BASE=\(base)",
                                              "--build-arg", "VERSION=\(BallastVersion.current)",
                                              "--build-arg", "REVISION=\(Release.head)",
                                              "-f", "Containerfile", "-t", tag, context])
        try #require(build.status == 0, "\(build.stdout.suffix(3_000))\(build.stderr.suffix(3_000))")
        defer { _ = try? Run.process(builder, ["rmi", "-f", tag]) }
        let seconds = Date().timeIntervalSince(start)

        let inspect = try Run.process(builder, ["inspect", "--type", "image", tag])
        let config = try JSON.parse(inspect.stdout)["OCIv1"]?["config"] ?? .null
        #expect(config["User"]?.string == "10001:10001", "\(inspect.stdout)")
        #expect(config["Entrypoint"] == ["ballast"], "\(inspect.stdout)")
        let labels = config["Labels"]
        #expect(labels?["org.opencontainers.image.version"]?.string == BallastVersion.current)
        #expect(labels?["org.opencontainers.image.revision"]?.string == Release.head)
        #expect(labels?["org.opencontainers.image.source"]?.string?.hasPrefix("https://github.com/") == true)

        let container = try Run.process(builder, ["from", "--pull-never", tag])
        try #require(container.status == 0, "\(container.stderr)")
        let name = container.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { _ = try? Run.process(builder, ["rm", name]) }
        let run = try Run.process(builder, ["run", "--isolation", "chroot", name, "--", "sh", "-c",
                                            "id -u && ballast --version"])
        #expect(run.status == 0 && run.stdout.hasPrefix("10001\nballast \(BallastVersion.current)\n"),
                "\(run.stdout)\(run.stderr)")
        print("image: \(tag) built from the Containerfile by \(builder) in \(Int(seconds)) s")
    }
}

/// What the release tests share: one release build, one Debian root, one base image.
actor Release {
    static let shared = Release()

    static let project = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../..").standardized.path

    /// Everything the tests make, under the project's ignored tool folder, emptied at each run's start.
    static let work = project + "/.build-tools/release-test"

    static var head: String {
        ((try? Run.process("/usr/bin/env", ["git", "rev-parse", "HEAD"], cwd: project).stdout) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func kibibytes(_ path: String) -> Int {
        (((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0) / 1024
    }

    struct Archive {
        let folder: String
        let name: String
        /// RUNTIME-PACKAGES' lines, each a package or its alternatives (`libssl3t64 | libssl3`).
        let runtimeLines: [[String]]
        let seconds: Double

        /// The packages of a suite: a line's first alternative is the name after the 64-bit time_t
        /// transition (Debian 13, Ubuntu 24.04), its last the name before it (Debian 12, Ubuntu 22.04).
        func packages(for suite: String) -> Set<String> {
            let renamed = Release.systems[suite]?.timeT64 ?? true
            return Set(runtimeLines.compactMap { renamed ? $0.first : $0.last })
        }
        var path: String { folder + "/" + name + ".tar.gz" }
        var kibibytes: Int { Release.kibibytes(path) }

        func unpack() throws -> String {
            let into = NSTemporaryDirectory() + "ballast-unpacked-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: into, withIntermediateDirectories: true)
            let tar = try Run.process("/usr/bin/env", ["tar", "-xzf", path, "-C", into])
            guard tar.status == 0 else { throw TestFailure("cannot unpack \(path): \(tar.stderr)") }
            return into
        }
    }

    /// `arguments` run in the root at `path` (chroot), in a mount namespace of its own with /proc mounted, as
    /// every machine and container has it (Swift reads its arguments there); the mount ends with the
    /// command, so no run leaves one behind.
    static func run(in path: String, _ arguments: [String], _ environment: [String: String]) throws -> Run.Result {
        try Run.process("/usr/bin/unshare", ["--mount", "--propagation", "private", "--", "/bin/sh", "-c",
                                             "mount -t proc proc \"$0/proc\" && exec chroot \"$0\" \"$@\"",
                                             path] + arguments,
                        environment: ["PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME": "/root",
                                      "NO_COLOR": "1", "LANG": "C.UTF-8"].merging(environment) { $1 })
    }

    struct DebianRoot {
        let path: String
        let seconds: Double
    }

    /// A system a root is made of: its name, its archive, and whether its packages carry the 64-bit
    /// time_t transition's names. debootstrap knows Ubuntu's releases by the script they share (`gutsy`).
    struct System {
        let name: String
        let ubuntu: Bool
        let timeT64: Bool
    }

    static let systems: [String: System] = [
        "bookworm": System(name: "Debian 12", ubuntu: false, timeT64: false),
        "trixie": System(name: "Debian 13", ubuntu: false, timeT64: true),
        "noble": System(name: "Ubuntu 24.04", ubuntu: true, timeT64: true),
        "jammy": System(name: "Ubuntu 22.04", ubuntu: true, timeT64: false),
    ]

    /// Ubuntu's archive key, which Debian does not carry: from Ubuntu's own `ubuntu-keyring` package, checked
    /// against the SHA-256 noble's `Packages` index lists for it (fetched over HTTP, so the checksum is what
    /// vouches for it).
    static let ubuntuKeyring = (
        path: "pool/main/u/ubuntu-keyring/ubuntu-keyring_2023.11.28.1_all.deb",
        sha256: "36de43b15853ccae0028e9a767613770c704833f82586f28eb262f0311adb8a8")

    private var keyring: String?

    func ubuntuArchiveKeyring(mirror: String) throws -> String {
        if let keyring { return keyring }
        let deb = Self.work + "/ubuntu-keyring.deb", into = Self.work + "/ubuntu-keyring"
        let fetch = try Run.process("/usr/bin/env",
                                    ["curl", "-fsS", "-o", deb, mirror + "/" + Self.ubuntuKeyring.path])
        guard fetch.status == 0 else { throw TestFailure("cannot fetch ubuntu-keyring: \(fetch.stderr)") }
        let sum = try Run.process("/usr/bin/env", ["sha256sum", deb]).stdout.prefix(64)
        guard sum == Self.ubuntuKeyring.sha256 else { throw TestFailure("ubuntu-keyring's SHA-256 is \(sum)") }
        let unpack = try Run.process("/usr/bin/env", ["dpkg-deb", "-x", deb, into])
        guard unpack.status == 0 else { throw TestFailure("cannot unpack ubuntu-keyring: \(unpack.stderr)") }
        let path = into + "/usr/share/keyrings/ubuntu-archive-keyring.gpg"
        keyring = path
        return path
    }

    private var built: Archive?
    private var roots: [String: DebianRoot] = [:]
    private var base: String?

    /// `scripts/release.sh` of the source's version, once per run.
    func archive() throws -> Archive {
        if let built { return built }
        try? FileManager.default.removeItem(atPath: Self.work)
        try FileManager.default.createDirectory(atPath: Self.work, withIntermediateDirectories: true)
        let start = Date()
        // The commit's own time as the build date (SOURCE_DATE_EPOCH, as the release workflow sets it): the
        // same flags for the same commit, so a second run here rebuilds only what changed.
        let epoch = try Run.process("/usr/bin/env", ["git", "log", "-1", "--format=%ct"], cwd: Self.project).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var environment = ProcessInfo.processInfo.environment
        environment["SOURCE_DATE_EPOCH"] = epoch
        let release = try Run.process(Self.project + "/scripts/release.sh",
                                      [BallastVersion.current, "--out", Self.work + "/dist"], cwd: Self.project,
                                      environment: environment)
        guard release.status == 0 else {
            throw TestFailure("scripts/release.sh failed: \(release.stdout.suffix(4_000))"
                              + "\(release.stderr.suffix(4_000))")
        }
        #if arch(x86_64)
        let arch = "x86_64"
        #else
        let arch = "aarch64"
        #endif
        let name = "ballast-\(BallastVersion.current)-linux-\(arch)"
        let unpacked = NSTemporaryDirectory() + "ballast-packages-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: unpacked) }
        try FileManager.default.createDirectory(atPath: unpacked, withIntermediateDirectories: true)
        _ = try Run.process("/usr/bin/env", ["tar", "-xzf", Self.work + "/dist/" + name + ".tar.gz", "-C", unpacked,
                                             name + "/RUNTIME-PACKAGES"])
        let list = try String(contentsOfFile: unpacked + "/" + name + "/RUNTIME-PACKAGES", encoding: .utf8)
        let lines = list.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }
            .map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
        let archive = Archive(folder: Self.work + "/dist", name: name, runtimeLines: lines,
                              seconds: Date().timeIntervalSince(start))
        built = archive
        return archive
    }

    /// A minimal root of a Debian suite (`debootstrap --variant=minbase`) with only `packages` added: never
    /// a Swift toolchain. Made once per run and suite; debootstrap and chroot need root.
    func debianRoot(_ suite: String, packages: Set<String>) throws -> DebianRoot {
        if let root = roots[suite] { return root }
        guard getuid() == 0 else { try Test.cancel("debootstrap and chroot need root (CI runs as root)") }
        let path = Self.work + "/debian-root-" + suite
        let environment = ProcessInfo.processInfo.environment
        let ubuntu = Self.systems[suite]?.ubuntu ?? false
        let mirror = ubuntu ? environment["BALLAST_UBUNTU_MIRROR"] ?? "http://archive.ubuntu.com/ubuntu"
            : environment["BALLAST_DEBIAN_MIRROR"] ?? "http://deb.debian.org/debian"
        let start = Date()
        var arguments = ["--variant=minbase", "--include=" + packages.sorted().joined(separator: ",")]
        if ubuntu { arguments.append("--keyring=" + (try ubuntuArchiveKeyring(mirror: mirror))) }
        arguments += [suite, path, mirror] + (ubuntu ? ["/usr/share/debootstrap/scripts/gutsy"] : [])
        let debootstrap = try Run.process("/usr/sbin/debootstrap", arguments)
        guard debootstrap.status == 0 else {
            throw TestFailure("debootstrap failed: \(debootstrap.stdout.suffix(3_000))"
                              + "\(debootstrap.stderr.suffix(3_000))")
        }
        let made = DebianRoot(path: path, seconds: Date().timeIntervalSince(start))
        // The image's base is the Debian 12 root before anything of ballast's is put in it.
        if suite == "bookworm" {
            let tar = try Run.process("/usr/bin/env", ["tar", "-C", path, "-cf", Self.work + "/debian-root.tar", "."])
            guard tar.status == 0 else { throw TestFailure("cannot pack the Debian root: \(tar.stderr)") }
        }
        roots[suite] = made
        return made
    }

    /// The Debian root imported as a local image (no registry is reachable here).
    func baseImage(packages: Set<String>) throws -> String {
        if let base { return base }
        _ = try debianRoot("bookworm", packages: packages)
        let name = "localhost/ballast-release-test-base:bookworm"
        let imported = try Run.process("/usr/bin/env", ["podman", "import", Self.work + "/debian-root.tar", name])
        guard imported.status == 0 else { throw TestFailure("podman import failed: \(imported.stderr)") }
        base = name
        return name
    }

    /// buildah (podman's build is buildah) from Debian's packages, when this machine can run it: installed,
    /// root, and its storage usable (`buildah info`; in a container, STORAGE_DRIVER=vfs may be needed).
    static let containerBuilder: String? = containerBuilderMissing == nil ? "/usr/bin/buildah" : nil

    static let containerBuilderMissing: String? = {
        guard getuid() == 0 else { return "building an image from a chroot-isolated base needs root here" }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/buildah") else {
            return "buildah is not installed (scripts/install-deps.sh installs it from Debian's packages)"
        }
        guard let info = try? Run.process("/usr/bin/buildah", ["info"]), info.status == 0 else {
            return "buildah cannot use its storage here (buildah info failed)"
        }
        return nil
    }()
}
