import XCTest
import TendCore
import TendSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fresh directory under the temp dir for one logging test; `remove()` deletes it.
struct LoggingTempDir {
    let path: String

    init() throws {
        var template = Array("/tmp/tend-logging-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw SystemError("mkdtemp")
        }
        path = String(cString: made)
    }

    var home: Home { Home(root: path) }

    func remove() { loggingRemoveTree(path) }
}

/// `rm -rf` without a shell.
func loggingRemoveTree(_ path: String) {
    if FileSystem.isDirectory(path) {
        for name in (try? FileSystem.list(path)) ?? [] { loggingRemoveTree("\(path)/\(name)") }
        rmdir(path)
    } else {
        unlink(path)
    }
}

/// The file's lines without the final empty one; [] when it does not exist.
func loggingLines(_ path: String) -> [String] {
    guard let text = try? FileSystem.readTextIfPresent(path), !text.isEmpty else { return [] }
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if lines.last == "" { lines.removeLast() }
    return lines
}

/// The file's lines as records; a line that does not parse fails the test.
func loggingRecords(_ path: String, file: StaticString = #filePath, line: UInt = #line) -> [LogRecord] {
    loggingLines(path).compactMap { text in
        let record = LogRecord.parse(line: text)
        XCTAssertNotNil(record, "not a record: \(text)", file: file, line: line)
        return record
    }
}

/// `path`, `path.1`, `path.2`, … that exist, newest first.
func loggingRotatedFiles(_ path: String) -> [String] {
    var result: [String] = FileSystem.exists(path) ? [path] : []
    var index = 1
    while FileSystem.exists("\(path).\(index)") { result.append("\(path).\(index)"); index += 1 }
    return result
}
