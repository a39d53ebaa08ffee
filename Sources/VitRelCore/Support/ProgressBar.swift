import Foundation

/// A one-line progress bar on standard error:
/// `label [██████░░░░░░] 320/1000  32%  41.3/s  ETA 0:12  extra`, redrawn in place.
///
/// Drawn only when standard error is a terminal (or `isVisible` says so), at most ten times a
/// second, so logs, pipes and tests see just results and one-line errors. The rate and ETA
/// count from the first update, so set-up before the first step (LIME's segmentation) does
/// not inflate them.
public final class ProgressBar {
    public let label: String
    public let total: Int
    public let isVisible: Bool
    private var started = Stopwatch()
    private var lastDraw = -1.0
    private var firstUpdate: (done: Int, seconds: Double)?
    private static let barWidth = 24

    /// Whether standard error is a terminal (where a redrawn line makes sense).
    public static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    public init(label: String, total: Int, isVisible: Bool = ProgressBar.stderrIsTerminal) {
        self.label = label
        self.total = max(total, 1)
        self.isVisible = isVisible
    }

    /// Reports `done` items finished; `extra` is appended (e.g. "loss 0.412 acc 0.87").
    public func update(_ done: Int, extra: String = "") {
        guard isVisible else { return }
        let now = started.seconds
        if firstUpdate == nil { firstUpdate = (done, now) }
        guard now - lastDraw >= 0.1 || done >= total else { return }
        lastDraw = now
        FileHandle.standardError.write(("\r" + line(done, extra: extra) + "\u{1B}[K").data(using: .utf8)!)
    }

    /// Starts counting again from zero (e.g. a new epoch).
    public func restart() {
        started = Stopwatch()
        lastDraw = -1
        firstUpdate = nil
    }

    /// Ends the bar with a summary line that stays (written even when the bar is hidden,
    /// because it carries results, e.g. an epoch's metrics).
    public func finish(_ done: Int? = nil, extra: String) {
        let text = line(done ?? total, extra: extra)
        FileHandle.standardError.write(((isVisible ? "\r" : "") + text + (isVisible ? "\u{1B}[K" : "") + "\n").data(using: .utf8)!)
    }

    /// Erases the bar's line (nothing stays).
    public func clear() {
        guard isVisible else { return }
        FileHandle.standardError.write("\r\u{1B}[K".data(using: .utf8)!)
    }

    /// The bar's text without the carriage return.
    public func line(_ done: Int, extra: String = "") -> String {
        let now = started.seconds
        var rate = 0.0
        if let first = firstUpdate, now > first.seconds, done > first.done {
            rate = Double(done - first.done) / (now - first.seconds)
        }
        return Self.line(label: label, done: done, total: total, rate: rate, extra: extra)
    }

    static func line(label: String, done: Int, total: Int, rate: Double, extra: String) -> String {
        let fraction = min(max(Double(done) / Double(max(total, 1)), 0), 1)
        let filled = Int((fraction * Double(barWidth)).rounded(.down))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: barWidth - filled)
        var text = "\(label) [\(bar)] \(done)/\(total) \(String(format: "%3.0f%%", fraction * 100))"
        if rate > 0 {
            text += String(format: "  %.1f/s", rate)
            if done < total { text += "  ETA " + clock(Double(total - done) / rate) }
        }
        return extra.isEmpty ? text : text + "  " + extra
    }

    /// h:mm:ss or m:ss.
    public static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
