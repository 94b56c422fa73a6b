#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import TendSystem

/// Printing for commands: stdout is flushed at once (a pipe would buffer it), problems
/// go to stderr prefixed with `tend:`.
enum Output {
    static func line(_ text: String) {
        print(text)
        fflush(nil)
    }

    static func problem(_ text: String) {
        var err = StandardError()
        print("tend: \(text)", to: &err)
    }

    /// Left-aligned columns, each as wide as its widest cell (min `widths`).
    static func table(_ header: [String], _ rows: [[String]], minWidths: [Int] = []) -> String {
        var widths = header.map(\.count)
        for (i, w) in minWidths.enumerated() where i < widths.count { widths[i] = max(widths[i], w) }
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        func render(_ cells: [String]) -> String {
            var line = ""
            for (i, cell) in cells.enumerated() {
                line += i == cells.count - 1 ? cell : cell.padding(to: widths[i] + 1)
            }
            return line
        }
        let rule = String(repeating: "-", count: widths.reduce(0, +) + widths.count - 1)
        return ([render(header), rule] + rows.map(render)).joined(separator: "\n")
    }

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        fflush(nil)
        try? FileSystem.writeAll(2, Array(string.utf8))
    }
}

/// A failure to report in words and exit non-zero (no stack trace, ever).
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
