import TendSystem

/// `tend.net`: network probes for health checks.
enum NetModule {
    static let functions: [HostFunctionSpec] = [
        HostFunctionSpec("tend.net", "tcp_probe", params: ["host: string", "port: integer", "timeout?: number"],
                         returns: ["boolean", "string?"], returnDoc: "true, or false and why (refused, timed out, …)",
                         doc: "Whether a TCP connection to host:port succeeds within `timeout` seconds (default 1); IPv4 and IPv6. The connection is closed at once.") { _ in
            { call in
                let host = try call.string(1)
                let port = try call.integer(2)
                guard (1...65535).contains(port) else {
                    throw LuaArgumentError(position: 2, function: call.function, problem: "port must be 1-65535, got \(port)")
                }
                var timeout = try call.optionalNumber(3) ?? 1
                if let left = Budget.remaining(call) { timeout = min(timeout, left) }
                switch TCPProbe.connect(host: host, port: Int(port), timeout: timeout) {
                case .success:
                    call.stack.push(true)
                    return 1
                case .failure(let why):
                    call.stack.push(false)
                    call.stack.push(why.message)
                    return 2
                }
            }
        },
    ]
}
