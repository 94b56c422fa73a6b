import TendCore
import TendLua

/// Interim: runs the monitor's Lua in the monitor's own process, answering at once (the
/// answers are queued by the core, so nothing recurses). The script worker replaces it.
final class InProcessScripts: ScriptService {
    weak var answers: ScriptAnswers?
    private let scripts: MonitorScripts

    init(_ scripts: MonitorScripts) { self.scripts = scripts }

    func ask(_ question: PolicyQuestion) {
        answers?.decided(question.daemon, ticket: question.ticket, scripts.restartPolicy.decide(question.context))
    }

    func check(_ request: CheckRequest) {
        let result = scripts.healthChecks.check(request.spec, pid: request.pid)
            ?? HealthResult(ok: true, reason: "no health check")
        answers?.checked(request.daemon, pid: request.pid, result)
    }

    func loadConfiguration() {
        do {
            scripts.reload()
            let specs = try scripts.loadSpecs()
            var timings: [String: CheckTimings] = [:]
            for spec in specs where spec.health != nil {
                timings[spec.name] = CheckTimings(interval: scripts.healthChecks.interval(for: spec), timeout: nil)
            }
            answers?.configurationLoaded(.success(LoadedConfiguration(specs: specs, checkTimings: timings)))
        } catch {
            answers?.configurationLoaded(.failure(ConfigurationProblem("\(error)")))
        }
    }

    func fallbackDecision(_ context: RestartContext) -> RestartDecision {
        BuiltinRestartPolicy().decide(context)
    }
}
