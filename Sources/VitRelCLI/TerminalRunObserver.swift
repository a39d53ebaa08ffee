import VitRel
import VitRelCompare

/// The engine's progress and problems on standard error, in vitrel's convention
/// (Diagnostics.swift): bars redrawn in place when standard error is a terminal,
/// `vitrel: warning:` and `vitrel: error:` lines, and each unusable input file once in
/// `problems`, whose `finish()` then makes the command exit 1.
final class TerminalRunObserver: RunObserver {
    let problems: InputProblems

    init(problems: InputProblems = InputProblems()) {
        self.problems = problems
    }

    func progress(label: String, total: Int, shown: Bool) -> ProgressIndicator {
        ProgressBar(label: label, total: total, isVisible: shown && ProgressBar.stderrIsTerminal)
    }

    func warning(_ message: String) { reportWarning(message) }
    func inputProblem(path: String, message: String) { problems.report(path, message) }
    func error(_ message: String) { reportError(message) }
}
