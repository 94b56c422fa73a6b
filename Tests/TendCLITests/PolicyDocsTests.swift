import XCTest
import TendSystem
import TendTestSupport

/// docs/policies.md shows real output: every `$ command` in its ```console blocks is run
/// (from the checkout, `tend` on the PATH, a daemon `web` with the seed's limits, a
/// fresh home and config dir) and must print what the page shows below it. Paths are
/// written relative to the checkout, `$TEND_HOME` and `$TEND_CONFIG_DIR`.
/// `TEND_UPDATE_DOCS=1 swift test --filter PolicyDocsTests` rewrites the outputs.
final class PolicyDocsTests: CLITestCase {
    var docPath: String { "\(Checkout.root)/docs/policies.md" }

    /// Runs a command line as the page's reader would, and writes its output the page's way.
    func run(_ command: String) throws -> String {
        var env = temp.environment
        env["PATH"] = FileSystem.parentDirectory(of: CommandRunner.tendBinary) + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        let r = try CommandRunner.run(["/bin/sh", "-c", "cd \"$0\" && eval \"$1\" 2>&1", Checkout.root, command], env: env)
        var text = r.stdout.replacing("\(Checkout.root)/", with: "").replacing(temp.home, with: "$TEND_HOME")
            .replacing(temp.config, with: "$TEND_CONFIG_DIR")
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    func testConsoleBlocksShowWhatTheCommandsPrint() throws {
        try FileSystem.makeDirectory(temp.home, mode: 0o700)
        try temp.writeDaemons(ticker("web"))
        let lines = try FileSystem.readText(docPath).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var rewritten: [String] = []
        var inConsole = false
        var i = 0
        var commands = 0
        while i < lines.count {
            let line = lines[i]
            i += 1
            rewritten.append(line)
            if line.hasPrefix("```") { inConsole = line == "```console" && !inConsole; continue }
            guard inConsole, line.hasPrefix("$ ") else { continue }
            var shown: [String] = []
            while i < lines.count, !lines[i].hasPrefix("$ "), !lines[i].hasPrefix("```") { shown.append(lines[i]); i += 1 }
            let actual = try run(String(line.dropFirst(2)))
            commands += 1
            XCTAssertEqual(shown.joined(separator: "\n"), actual, "docs/policies.md: `\(line)` prints something else")
            if !actual.isEmpty { rewritten.append(actual) }
        }
        XCTAssertGreaterThanOrEqual(commands, 8, "the page's console blocks were not found")
        if Spawner.currentEnvironment()["TEND_UPDATE_DOCS"] == "1" {
            try FileSystem.writeAtomically(docPath, text: rewritten.joined(separator: "\n"), mode: 0o644)
        }
    }
}
