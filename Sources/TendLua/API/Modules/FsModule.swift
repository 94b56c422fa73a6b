#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TendCore
import TendSystem

/// `tend.fs`: files, with expected failures returned as `nil, "message"`.
enum FsModule {
    static let functions: [HostFunctionSpec] = [
        fn("read", params: ["path: string"], returns: ["string?", "string?"], returnDoc: "the text, or nil and an error message",
           doc: "The whole file as text.") { call in
            let path = try call.string(1)
            return try call.attempt { call.stack.push(try FileSystem.readText(path)) }
        },
        fn("write", params: ["path: string", "text: string"], returns: ["boolean?", "string?"], returnDoc: "true, or nil and an error message",
           doc: "Replaces the file atomically (temporary file + rename): readers see the old or the new text, never half.") { call in
            let (path, text) = (try call.string(1), try call.string(2))
            return try call.attempt { try FileSystem.writeAtomically(path, text: text, mode: 0o644); call.stack.push(true) }
        },
        fn("append", params: ["path: string", "text: string"], returns: ["boolean?", "string?"], returnDoc: "true, or nil and an error message",
           doc: "Appends to the file (created if missing) in one write.") { call in
            let (path, text) = (try call.string(1), try call.string(2))
            return try call.attempt {
                let fd = retryingOnInterrupt { open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644) }
                guard fd >= 0 else { throw SystemError("open", path: path) }
                defer { close(fd) }
                try FileSystem.writeAll(fd, Array(text.utf8), path: path)
                call.stack.push(true)
            }
        },
        fn("exists", params: ["path: string"], returns: ["boolean"], doc: "True if something exists at the path.") { call in
            call.stack.push(FileSystem.exists(try call.string(1)))
            return 1
        },
        fn("is_dir", params: ["path: string"], returns: ["boolean"], doc: "True if the path is a directory.") { call in
            call.stack.push(FileSystem.isDirectory(try call.string(1)))
            return 1
        },
        fn("list", params: ["dir: string"], returns: ["string[]?", "string?"], returnDoc: "sorted names, or nil and an error message",
           doc: "The names in a directory (without `.` and `..`), sorted.") { call in
            let dir = try call.string(1)
            return try call.attempt {
                guard FileSystem.isDirectory(dir) else { throw LuaHostError("\(dir): not a directory") }
                call.stack.push(JSONValue.array(try FileSystem.list(dir).map { .string($0) }))
            }
        },
        fn("mkdir", params: ["path: string"], returns: ["boolean?", "string?"], returnDoc: "true (also if it existed), or nil and an error message",
           doc: "Creates the directory and any missing parents (`mkdir -p`).") { call in
            let path = try call.string(1)
            return try call.attempt { try FileSystem.makeDirectory(path); call.stack.push(true) }
        },
        fn("remove", params: ["path: string"], returns: ["boolean?", "string?"], returnDoc: "true (also if it was missing), or nil and an error message",
           doc: "Removes a file or an empty directory.") { call in
            let path = try call.string(1)
            return try call.attempt {
                if FileSystem.isDirectory(path) {
                    if rmdir(path) != 0 { throw SystemError("rmdir", path: path) }
                } else {
                    try FileSystem.remove(path)
                }
                call.stack.push(true)
            }
        },
        fn("rename", params: ["from: string", "to: string"], returns: ["boolean?", "string?"], returnDoc: "true, or nil and an error message",
           doc: "Renames (moves) a file within one file system, replacing the target.") { call in
            let (from, to) = (try call.string(1), try call.string(2))
            return try call.attempt { try FileSystem.move(from, to: to); call.stack.push(true) }
        },
        fn("stat", params: ["path: string"], returns: ["tend.FileStat?", "string?"], returnDoc: "a table, or nil and an error message",
           doc: "Size, modification time (epoch seconds) and kind of a file.") { call in
            let path = try call.string(1)
            guard let info = FileSystem.info(path) else { return call.failure("\(path): \(String(cString: strerror(errno)))") }
            let s = call.stack
            s.newTable(fields: 4)
            s.setField("size", info.size)
            s.setField("mtime", info.modified)
            s.setField("is_dir", info.isDirectory)
            s.setField("mode", Int(info.mode & 0o7777))
            return 1
        },
    ]

    static let types: [HostTypeSpec] = [
        HostTypeSpec(name: "tend.FileStat", doc: "What `tend.fs.stat` reports.", fields: [
            "size: integer", "mtime: number -- epoch seconds", "is_dir: boolean", "mode: integer -- permission bits",
        ]),
    ]

    private static func fn(_ name: String, params: [String], returns: [String], returnDoc: String = "", doc: String,
                           _ body: @escaping @Sendable (LuaCall) throws -> Int32) -> HostFunctionSpec {
        HostFunctionSpec("tend.fs", name, params: params, returns: returns, returnDoc: returnDoc, doc: doc) { _ in body }
    }
}

extension LuaCall {
    /// Runs an operation that pushes one result; a failure becomes `nil, "message"`.
    func attempt(_ body: () throws -> Void) throws -> Int32 {
        let top = stack.top
        do {
            try body()
            return 1
        } catch let e as LuaArgumentError {
            throw e
        } catch {
            stack.setTop(top)
            return failure(String(describing: error))
        }
    }
}
