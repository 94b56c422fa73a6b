import XCTest
import TendSystem
import TendTestSupport

/// `tend service`: the unit files, validated by the managers' own parsers, installed and
/// uninstalled in a temporary XDG_CONFIG_HOME / HOME. A fake `systemctl` first on PATH
/// stands in for the user manager, so no test ever touches the machine's real one.
final class ServiceTests: CLITestCase {
    private var xdg: String { "\(temp.root)/xdg" }
    private var unit: String { "\(xdg)/systemd/user/tend.service" }
    private var calls: String { "\(temp.root)/systemctl.calls" }

    /// `up`: the fake manager answers every call; `down`: it fails like a missing bus.
    private func service(_ args: String..., manager: String = "down", expect code: Int32 = 0, home: String? = nil) throws -> CommandRunner.Result {
        let bin = "\(temp.root)/fakebin"
        try FileSystem.makeDirectory(bin, mode: 0o700)
        try FileSystem.writeAtomically("\(bin)/systemctl", text: """
            #!/bin/sh
            echo "$*" >> '\(calls)'
            [ "$FAKE_MANAGER" = up ] || { echo "Failed to connect to bus: No medium found" >&2; exit 1; }
            case "$*" in *is-enabled*) echo enabled;; *is-active*) echo active;; esac
            """, mode: 0o755)
        var env = temp.environment
        env["PATH"] = "\(bin):" + (env["PATH"] ?? "/usr/bin:/bin")
        env["XDG_CONFIG_HOME"] = xdg
        env["HOME"] = "\(temp.root)/user"
        env["FAKE_MANAGER"] = manager
        if let home { env["TEND_HOME"] = home }
        let result = try CommandRunner.run([CommandRunner.tendBinary, "service"] + args, env: env)
        XCTAssertEqual(result.code, code, "tend service \(args.joined(separator: " ")): \(result)")
        return result
    }

    private func systemdVerify(_ path: String) throws {
        guard FileSystem.exists("/usr/bin/systemd-analyze") else {
            throw XCTSkip("systemd-analyze is missing (Debian package systemd; `scripts/install-deps --test` installs it)")
        }
        let result = try CommandRunner.run(["/usr/bin/systemd-analyze", "verify", "--man=no", path])
        XCTAssertEqual(result.code, 0, "systemd-analyze verify \(path): \(result)")
        XCTAssertEqual(result.stderr, "", "no warnings: \(result)")
    }

    func testSystemdDryRunPrintsTheUnitAndWritesNothing() throws {
        let result = try service("install", "--systemd", "--dry-run")
        XCTAssertFalse(FileSystem.exists(unit))
        XCTAssertTrue(result.stderr.contains("would write \(unit)"), result.description)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("ExecStart=\(CommandRunner.tendBinary) monitor"), result.stdout)
        XCTAssertTrue(lines.contains("Environment=\"TEND_HOME=\(temp.home)\""), result.stdout)
        XCTAssertTrue(lines.contains("Environment=\"TEND_CONFIG_DIR=\(temp.config)\""), result.stdout)
        XCTAssertTrue(lines.contains("KillMode=process"))
        XCTAssertTrue(lines.contains("Restart=always"))
        XCTAssertTrue(lines.contains("WantedBy=default.target"))
        XCTAssertFalse(FileSystem.exists(calls), "a dry run asks no manager")
    }

    func testSystemdInstallVerifyStatusUninstallWithoutAManager() throws {
        let installed = try service("install")
        XCTAssertTrue(installed.stdout.contains("wrote \(unit)"), installed.description)
        XCTAssertTrue(installed.stdout.contains("to start it at login run:\n  systemctl --user enable --now tend.service"), installed.description)
        try systemdVerify(unit)
        XCTAssertTrue(try service("status").stdout.contains("installed: \(unit)\nno systemd manager answers here"))
        let removed = try service("uninstall")
        XCTAssertTrue(removed.stdout.contains("removed \(unit)"), removed.description)
        XCTAssertFalse(FileSystem.exists(unit))
        XCTAssertTrue(try service("status", expect: 1).stdout.contains("not installed"))
        XCTAssertTrue(try service("uninstall").stdout.contains("not installed"))
    }

    func testWithAUserManagerInstallEnablesAndStartsAndUninstallStops() throws {
        let installed = try service("install", manager: "up")
        XCTAssertTrue(installed.stdout.contains("enabled and started"), installed.description)
        let status = try service("status", manager: "up").stdout
        XCTAssertTrue(status.contains("enabled: enabled\nactive: active"), status)
        try service("uninstall", manager: "up")
        XCTAssertEqual(try FileSystem.readText(calls).split(separator: "\n"), [
            "--user show --property=Version", "--user daemon-reload", "--user enable tend.service", "--user restart tend.service",
            "--user show --property=Version", "--user is-enabled tend.service", "--user is-active tend.service",
            "--user show --property=Version", "--user disable --now tend.service",
        ])
    }

    func testAStaleUnitIsReportedAndOddPathsAreQuoted() throws {
        // A binary and a home whose paths hold a space, a quote, `%` and `$`.
        let odd = "\(temp.root)/my bin"
        try FileSystem.makeDirectory(odd, mode: 0o700)
        XCTAssertEqual(try CommandRunner.run(["/bin/cp", CommandRunner.tendBinary, "\(odd)/tend"]).code, 0)
        let home = "\(temp.root)/home \"50%\" $HOME"
        var env = temp.environment
        env["XDG_CONFIG_HOME"] = xdg
        env["TEND_HOME"] = home
        env["PATH"] = "/nonexistent"   // no systemctl at all: nobody answers
        let result = try CommandRunner.run(["\(odd)/tend", "service", "install", "--systemd"], env: env)
        XCTAssertEqual(result.code, 0, result.description)
        let text = try FileSystem.readText(unit)
        XCTAssertTrue(text.contains("ExecStart=\"\(odd)/tend\" monitor"), text)
        XCTAssertTrue(text.contains(#"Environment="TEND_HOME=\#(temp.root)/home \"50%%\" $HOME""#), text)
        try systemdVerify(unit)
        // The unit names the copy; this binary writes another: status says so.
        XCTAssertTrue(try service("status", home: home).stdout.contains("differs from what `tend service install` writes now"))
    }

    func testLaunchdAgentIsAValidPlist() throws {
        let result = try service("install", "--launchd", "--dry-run")
        let plist = "\(temp.root)/agent.plist"
        try FileSystem.writeAtomically(plist, text: result.stdout)
        let check = """
            import plistlib, sys
            p = plistlib.load(open(sys.argv[1], 'rb'))
            assert p['Label'] == 'dev.tend.monitor', p
            assert p['ProgramArguments'] == [sys.argv[2], 'monitor'], p
            assert p['EnvironmentVariables'] == {'TEND_HOME': sys.argv[3], 'TEND_CONFIG_DIR': sys.argv[4]}, p
            assert p['RunAtLoad'] is True and p['KeepAlive'] is True and p['AbandonProcessGroup'] is True, p
            assert p['StandardErrorPath'] == sys.argv[3] + '/logs/monitor.log', p
            print('ok')
            """
        guard let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first(where: FileSystem.exists) else {
            throw XCTSkip("python3 is missing: no plist parser to check the agent with")
        }
        let parsed = try CommandRunner.run([python, "-c", check, plist, CommandRunner.tendBinary, temp.home, temp.config])
        XCTAssertEqual(parsed.stdout, "ok\n", parsed.description)

        #if !os(macOS)
        let installed = try service("install", "--launchd")
        let agent = "\(temp.root)/user/Library/LaunchAgents/dev.tend.monitor.plist"
        XCTAssertEqual(try FileSystem.readText(agent), result.stdout)
        XCTAssertTrue(installed.stdout.contains("launchctl bootstrap gui/"), installed.description)
        try service("uninstall", "--launchd")
        XCTAssertFalse(FileSystem.exists(agent))
        #endif
    }

    func testBothManagersAtOnceIsAUsageError() throws {
        XCTAssertTrue(try service("install", "--systemd", "--launchd", expect: 64).stderr.contains("exclude each other"))
    }
}
