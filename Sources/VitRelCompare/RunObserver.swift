import VitRel

/// Where a long run's progress and the problems it survives go. The engine never writes to
/// the terminal itself: `vitrel` draws bars and prints its `vitrel: warning:` and
/// `vitrel: error:` lines through one of these, and tests and library callers collect or ignore
/// what is said (`QuietRunObserver`).
public protocol RunObserver: AnyObject {
    /// A progress indicator for `total` steps. `shown` is false where the engine knows a bar
    /// would only be noise (a single image, or LIME's own bar inside it); a bar that is not
    /// drawn still prints its `finish` line.
    func progress(label: String, total: Int, shown: Bool) -> ProgressIndicator
    /// The run goes on and can still succeed (a quota the data cannot meet).
    func warning(_ message: String)
    /// An input file the run could not use: reported once per path, and the run goes on.
    func inputProblem(path: String, message: String)
    /// A failure the run survives that is not an input file's (a figure that could not be drawn).
    func error(_ message: String)
}

/// One progress bar, as `ProgressBar` (VitRelCore) draws it on standard error.
public protocol ProgressIndicator: AnyObject {
    /// `done` steps finished; `extra` follows the counts.
    func update(_ done: Int, extra: String)
    /// Erases the bar (nothing stays).
    func clear()
    /// Ends the bar with a line that stays (the run's time, say).
    func finish(_ done: Int?, extra: String)
}

extension ProgressIndicator {
    func update(_ done: Int) { update(done, extra: "") }
}

extension ProgressBar: ProgressIndicator {}

/// Prints nothing and keeps what was said: for library callers and tests that read results,
/// not progress.
public final class QuietRunObserver: RunObserver {
    /// Warnings, input problems and errors, in the order they came.
    public private(set) var messages = [String]()

    public init() {}

    public func progress(label: String, total: Int, shown: Bool) -> ProgressIndicator { NoProgress() }

    public func warning(_ message: String) { messages.append(message) }
    public func inputProblem(path: String, message: String) { messages.append(message) }
    public func error(_ message: String) { messages.append(message) }
}

/// A progress indicator that draws nothing, not even the finishing line.
private final class NoProgress: ProgressIndicator {
    func update(_ done: Int, extra: String) {}
    func clear() {}
    func finish(_ done: Int?, extra: String) {}
}
