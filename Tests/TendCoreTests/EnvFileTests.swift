import XCTest
import TendSystem
import TendTestSupport
@testable import TendCore

final class EnvFileTests: XCTestCase {
    func testKeyValueLinesCommentsBlanksAndQuotes() {
        let file = EnvFile(parsing: """
            # database settings
            DB_HOST=localhost

              PORT = 5432  \r
            export PATH=/usr/local/bin:/usr/bin
            GREETING="hello \\"world\\"\\n\\tand \\\\ more"
            LITERAL='a\\b $HOME "x"'
            EMPTY=
            EMPTY_QUOTED=""
            URL=http://x/?a=b#frag
            DB_HOST=db.internal
            """, file: "/etc/web.env")
        XCTAssertEqual(file.problems, [])
        XCTAssertEqual(file.variables.map(\.key), ["DB_HOST", "PORT", "PATH", "GREETING", "LITERAL", "EMPTY", "EMPTY_QUOTED", "URL"])
        XCTAssertEqual(file.dictionary, [
            "DB_HOST": "db.internal", "PORT": "5432", "PATH": "/usr/local/bin:/usr/bin",
            "GREETING": "hello \"world\"\n\tand \\ more", "LITERAL": #"a\b $HOME "x""#,
            "EMPTY": "", "EMPTY_QUOTED": "", "URL": "http://x/?a=b#frag",
        ])
    }

    func testEveryBadLineIsAProblemWithFileAndLine() {
        let file = EnvFile(parsing: """
            GOOD=1
            no equals sign
            1ST=x
            =value
            OPEN="never closed
            TRAIL="x" y
            SPACE IN=x
            ALSO_GOOD='ok'
            """, file: "/etc/web.env")
        XCTAssertEqual(file.dictionary, ["GOOD": "1", "ALSO_GOOD": "ok"])
        XCTAssertEqual(file.problems.map(\.line), [2, 3, 4, 5, 6, 7])
        XCTAssertEqual(file.problems[0].description, "/etc/web.env:2: 'no equals sign' is not KEY=VALUE")
        XCTAssertTrue(file.problems[1].message.contains("'1ST' is not a variable name"), file.problems[1].message)
        XCTAssertTrue(file.problems[2].message.contains("'' is not a variable name"), file.problems[2].message)
        XCTAssertTrue(file.problems[3].message.contains("does not close it"), file.problems[3].message)
        XCTAssertTrue(file.problems[4].message.contains("unexpected ' y' after the closing \""), file.problems[4].message)
        XCTAssertTrue(file.problems[5].message.contains("'SPACE IN' is not a variable name"), file.problems[5].message)
    }

    func testLoadNamesAMissingFileAndListsBadLines() throws {
        let scratch = try ScratchDirectory("envfile")
        defer { scratch.remove() }
        let dir = scratch.path
        XCTAssertThrowsError(try EnvFile.load("\(dir)/absent.env")) { error in
            XCTAssertEqual("\(error)", "\(dir)/absent.env: env_file does not exist")
        }
        try FileSystem.writeAtomically("\(dir)/bad.env", text: "A=1\nB\nC=3\nD E\n")
        XCTAssertThrowsError(try EnvFile.load("\(dir)/bad.env")) { error in
            XCTAssertEqual("\(error)", "\(dir)/bad.env:2: 'B' is not KEY=VALUE\n\(dir)/bad.env:4: 'D E' is not KEY=VALUE")
        }
        try FileSystem.writeAtomically("\(dir)/good.env", text: "A=1\n")
        XCTAssertEqual(try EnvFile.load("\(dir)/good.env").dictionary, ["A": "1"])
    }
}

