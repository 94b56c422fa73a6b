import XCTest
import TendCore

/// The commit record on disk: one fixed-size block, read back exactly, a damaged block
/// refused.
final class CommitRecordTests: XCTestCase {
    func sample() -> CommitRecord {
        var r = CommitRecord()
        r.phase = .write
        r.sequence = 42
        r.boot = 0xdead_beef_0000_0001
        r.fifoInode = 1234
        r.dropped = 7
        r.dropErrno = 28
        r.logDevice = 65024
        r.logInode = 99
        r.logOffset = 10_000_000
        r.logLength = 4096
        r.logHash = UInt64.max
        r.time = 1_764_063_000.123_456_7
        r.leadingNewline = true
        r.reportsDropped = true
        r.sourceLength = 131_072
        r.sourceHash = 1
        r.tallyBase = 512
        r.counted = false
        return r
    }

    func testRoundTrip() {
        let bytes = sample().encoded()
        XCTAssertEqual(bytes.count, CommitRecord.size)
        XCTAssertEqual(CommitRecord.decode(bytes), sample())
        XCTAssertEqual(CommitRecord.decode(CommitRecord().encoded()), CommitRecord())
    }

    func testDamagedOrForeignBlocksAreRefused() {
        var bytes = sample().encoded()
        bytes[30] ^= 1
        XCTAssertNil(CommitRecord.decode(bytes))
        XCTAssertNil(CommitRecord.decode([UInt8](repeating: 0, count: CommitRecord.size)))
        XCTAssertNil(CommitRecord.decode(Array("hello".utf8)))
    }
}
