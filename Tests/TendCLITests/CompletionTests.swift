import XCTest
import TendSystem
import TendTestSupport

/// Completion through the generated bash script (as bash runs it on TAB), and the
/// suggestion for a mistyped command.
final class CompletionTests: CLITestCase {
    /// What bash offers for `words` (the last one being completed), sorted.
    private func complete(_ words: [String], env extra: [String: String] = [:]) throws -> [String] {
        let script = "\(temp.root)/tend.bash"
        try FileSystem.writeAtomically(script, text: try tend("--generate-completion-script", "bash").stdout)
        let quoted = words.map { "'\($0.replacingOccurrences(of: "'", with: "'\\''"))'" }.joined(separator: " ")
        let driver = """
            source '\(script)'
            COMP_WORDS=(\(quoted)); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
            COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
            _tend tend "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        var env = temp.environment
        env["PATH"] = FileSystem.parentDirectory(of: CommandRunner.tendBinary) + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        env.merge(extra) { _, new in new }
        let result = try CommandRunner.run(["/bin/bash", "-c", driver], env: env)
        XCTAssertEqual(result.code, 0, result.description)
        return result.stdout.split(separator: "\n").map(String.init).filter { !$0.isEmpty }.sorted()
    }

    func testDaemonNamesCompleteForEveryCommandThatTakesThem() throws {
        try temp.writeDaemons(daemon("web", "sleep 100") + daemon("worker", "sleep 100") + daemon("db", "sleep 100"))
        for command in [["start"], ["stop"], ["restart"], ["status"], ["history"], ["logs"], ["log"],
                        ["pid", "read"], ["pid", "write"], ["pid", "verify"]] {
            XCTAssertEqual(try complete(["tend"] + command + [""]), ["db", "web", "worker"], "tend \(command.joined(separator: " "))")
        }
        XCTAssertEqual(try complete(["tend", "stop", "w"]), ["web", "worker"])
        XCTAssertEqual(try complete(["tend", "start", "db", "w"]), ["web", "worker"], "after a first name")
    }

    func testTheConfigDirOnTheCommandLineIsTheOneRead() throws {
        try temp.writeDaemons(daemon("web", "sleep 100"))
        try temp.write("other/daemons.lua", daemon("elsewhere", "sleep 100"))
        XCTAssertEqual(try complete(["tend", "start", "--config-dir", "\(temp.root)/other", ""]), ["elsewhere"])
        XCTAssertEqual(try complete(["tend", "stop", "--config-dir", "=", "~/other", ""], env: ["HOME": temp.root]), ["elsewhere"],
                       "as bash splits --config-dir=~/other; ~ is the shell's to expand, so completion does it")
    }

    func testPluginNamesCompleteForRun() throws {
        try temp.write("config/plugins/mine.lua", "return { summary = 'x', run = function() return 0 end }")
        let offered = try complete(["tend", "run", ""])
        XCTAssertTrue(offered.contains("mine"), "\(offered)")
        XCTAssertTrue(offered.contains("context-daemon"), "the shipped ones too: \(offered)")
        XCTAssertEqual(try complete(["tend", "run", "mi"]), ["mine"])
    }

    func testABrokenConfigurationCompletesNothingAndSaysNothing() throws {
        try temp.writeDaemons("daemon \"web\" {")
        XCTAssertEqual(try complete(["tend", "start", ""]), [])
    }

    func testAMistypedCommandSuggestsTheNearestOne() throws {
        let typo = try tend("stauts", expect: 64)
        XCTAssertTrue(typo.stderr.hasPrefix("Error: unknown command 'stauts'; did you mean 'status'?\nUsage: tend"), typo.description)
        let nested = try tend("pid", "raed", "web", expect: 64)
        XCTAssertTrue(nested.stderr.contains("unknown command 'pid raed'; did you mean 'pid read'?"), nested.description)
        let far = try tend("frobnicate", expect: 64)
        XCTAssertFalse(far.stderr.contains("did you mean"), far.description)
        XCTAssertTrue(far.stderr.contains("frobnicate"), far.description)
        // A daemon name in argument position is not a command.
        try temp.writeDaemons(daemon("stauts", "sleep 100"))
        try tend("status", "stauts")
    }
}
