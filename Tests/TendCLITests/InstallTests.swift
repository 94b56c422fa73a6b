import XCTest
import TendSystem
import TendTestSupport
import TendCore

/// `scripts/install` into a temporary prefix: a release build in a build folder of its
/// own (`.build-install`, so it never waits on the test run's `.build`), then the
/// installed files, the installed binary finding its share dir, and the manual rendered.
final class InstallTests: XCTestCase {
    func testInstallIntoATemporaryPrefix() throws {
        let scratch = try ScratchDirectory("install")
        defer { scratch.remove() }
        let root = scratch.path
        let repo = JSONConventionTests.repoRoot
        let prefix = "\(root)/prefix"
        var env = Spawner.currentEnvironment()
        env["TEND_BUILD_PATH"] = "\(repo)/.build-install"
        for key in ["TEND_HOME", "TEND_CONFIG_DIR", "TEND_SHARE_DIR"] { env[key] = nil }
        // A release build on a busy 2-core machine: minutes, not seconds.
        let install = try CommandRunner.run(["/bin/bash", "\(repo)/scripts/install", "--prefix", prefix], env: env, timeout: 2400)
        XCTAssertEqual(install.code, 0, install.description)
        XCTAssertTrue(install.stdout.contains("installed tend \(tendVersion()) in \(prefix)"), install.stdout)

        let expected = ["bin/tend", "share/tend/plugins/startup.lua", "share/tend/policies/restart.lua",
                        "share/tend/policies/health/tcp_port.lua", "share/tend/config/daemons.lua", "share/man/man1/tend.1",
                        "share/bash-completion/completions/tend", "share/zsh/site-functions/_tend",
                        "share/fish/vendor_completions.d/tend.fish"]
        for file in expected { XCTAssertTrue(FileSystem.exists("\(prefix)/\(file)"), "\(file) installed") }
        XCTAssertTrue(try FileSystem.readText("\(prefix)/share/bash-completion/completions/tend").contains("complete -o filenames -F _tend tend"))
        XCTAssertTrue(try FileSystem.readText("\(prefix)/share/zsh/site-functions/_tend").hasPrefix("#compdef tend"))
        XCTAssertTrue(try FileSystem.readText("\(prefix)/share/fish/vendor_completions.d/tend.fish").contains("complete -c 'tend'"))

        // The installed binary finds its shipped scripts beside it (no checkout, no TEND_SHARE_DIR).
        env["TEND_HOME"] = "\(root)/home"
        env["TEND_CONFIG_DIR"] = "\(root)/config"
        let plugins = try CommandRunner.run(["\(prefix)/bin/tend", "plugins", "--format", "json"], env: env)
        XCTAssertEqual(plugins.code, 0, plugins.description)
        let paths = (try JSONValue.parse(plugins.stdout)["plugins"]?.arrayValue ?? []).compactMap { $0["path"]?.stringValue }
        XCTAssertFalse(paths.isEmpty, plugins.stdout)
        XCTAssertTrue(paths.allSatisfy { $0.hasPrefix("\(prefix)/share/tend/plugins/") }, "\(paths)")
        let check = try CommandRunner.run(["\(prefix)/bin/tend", "check-config"], env: env)
        XCTAssertEqual(check.code, 0, check.description)
        XCTAssertTrue(check.stdout.contains("OK: \(prefix)/share/tend/config/daemons.lua (8 daemons)"), check.stdout)

        guard let man = ["/usr/bin/man", "/bin/man"].first(where: FileSystem.exists) else {
            throw XCTSkip("man is missing (Debian package man-db; `scripts/install-deps --test` installs it): the page was installed, not rendered")
        }
        env["MANWIDTH"] = "100"
        let page = try CommandRunner.run([man, "-P", "cat", "-l", "\(prefix)/share/man/man1/tend.1"], env: env)
        XCTAssertEqual(page.code, 0, page.description)
        for fragment in ["NAME", "tend", "SYNOPSIS", "service", "check-config"] {
            XCTAssertTrue(page.stdout.contains(fragment), "'\(fragment)' in the rendered page:\n\(page.stdout.prefix(2000))")
        }
    }

    private func tendVersion() -> String {
        (try? CommandRunner.run([CommandRunner.tendBinary, "--version"]).stdout.split(separator: "\n").first.map(String.init)) ?? "?"
    }
}
