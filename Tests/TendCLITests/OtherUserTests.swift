import XCTest
import TendSystem
import TendTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// No one else drives the monitor or reads the home as if it were empty, even with the
/// home and the socket opened to everyone. Runs as root (CI), acting as `nobody`.
final class OtherUserTests: CLITestCase {
    /// `argv` run as nobody, or nil (with a skip) where that cannot be done here.
    func asNobody(_ argv: [String]) throws -> CommandRunner.Result {
        try CommandRunner.run(["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] + argv,
                              env: temp.environment)
    }

    func requireNobody() throws {
        guard getuid() == 0, FileSystem.exists("/usr/bin/setpriv") else {
            throw XCTSkip("needs root and setpriv (util-linux) to act as another user")
        }
        try FileSystem.setMode(temp.root, 0o755)
        let probe = try asNobody(["/bin/sh", "-c", "test -x \(CommandRunner.tendBinary)"])
        guard probe.code == 0 else { throw XCTSkip("user nobody cannot run \(CommandRunner.tendBinary) from here") }
    }

    func testAnotherUserCannotStopADaemonThroughTheSocket() throws {
        try requireNobody()
        try temp.writeDaemons(daemon("a", "exec sleep 1000"))
        try tend("start", "a")
        let pid = try XCTUnwrap(try waitForPID("a"))
        // Opened to everyone, as a careless user might.
        try FileSystem.setMode(temp.home, 0o755)
        try FileSystem.setMode("\(temp.home)/monitor.sock", 0o666)
        let request = #"{"command":"stop","names":["a"]}"#
        let script = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.argv[2].encode() + b"\\n")
            print(s.makefile().readline())
            """
        let raw = try asNobody(["/usr/bin/env", "python3", "-c", script, "\(temp.home)/monitor.sock", request])
        XCTAssertTrue(raw.stdout.contains("permission denied"), raw.description)
        let cli = try asNobody([CommandRunner.tendBinary, "stop", "a"])
        XCTAssertNotEqual(cli.code, 0)
        XCTAssertTrue(cli.stderr.contains("permission denied"), cli.description)
        XCTAssertEqual(try self.pid(of: "a"), pid, "another user stopped the daemon")
    }

    func testAnotherUsersHomeIsPermissionDeniedNotEmpty() throws {
        try requireNobody()
        try temp.writeDaemons(daemon("a", "exec sleep 1000"))
        try tend("start", "a")
        _ = try XCTUnwrap(try waitForPID("a"))
        try FileSystem.setMode(temp.home, 0o755)
        for args in [["status"], ["logs", "a"], ["health"], ["pid", "verify", "a"]] {
            let r = try asNobody([CommandRunner.tendBinary] + args)
            XCTAssertNotEqual(r.code, 0, "tend \(args.joined(separator: " ")): \(r)")
            XCTAssertTrue(r.stderr.contains("permission denied"), "tend \(args.joined(separator: " ")): \(r)")
            XCTAssertFalse(r.stdout.contains("STOPPED") || r.stderr.contains("no log"), "a lie: \(r)")
        }
    }

    func testAHomeOpenToOthersIsTightened() throws {
        try temp.writeDaemons(daemon("a", "exec sleep 1000"))
        try FileSystem.makeDirectory(temp.home, mode: 0o755)
        try FileSystem.setMode(temp.home, 0o755)
        let r = try tend("start", "a")
        XCTAssertTrue(r.stderr.contains("tightened to 0700"), r.description)
        XCTAssertEqual((FileSystem.info(temp.home)?.mode ?? 0) & 0o777, 0o700)
    }
}
