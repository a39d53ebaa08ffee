import Foundation

/// Timings taken in rounds that pair the measured work (the subject) with a reference measured
/// just before it, so that a ratio compares two measurements of the same few seconds of the
/// machine.
///
/// On a shared host the sgemm yardstick moved between 115 and 235 GFLOP/s from one run to the
/// next, and one yardstick taken at the start of a run against a forward pass timed seconds
/// later gave ratios of 50% and 169% in consecutive runs of the same build. Each round here
/// times the reference and then the subject (each the fastest of its repeats); the reported
/// ratio is the median of the rounds' ratios, and the spread of those ratios is printed so
/// that a noisy run shows itself.
public struct PairedTiming: Sendable {
    public struct Round: Sendable {
        /// Seconds of the reference (the best of its repeats) and its process CPU seconds.
        public var referenceSeconds: Double
        public var referenceCPUSeconds: Double
        /// Seconds of the subject and its process CPU seconds.
        public var subjectSeconds: Double
        public var subjectCPUSeconds: Double
    }

    public var rounds: [Round]

    /// `rounds` rounds of: `reference` `referenceRepeats` times, then `subject`
    /// `subjectRepeats` times, the fastest of each kept. A forward pass of a few milliseconds
    /// timed once right after the yardstick ran at 60% of its speed when repeated (the shipped
    /// model: 37% of sgemm against 60%), so short subjects want repeats (`repeatsFilling`).
    public static func measure(
        rounds: Int, referenceRepeats: Int = 1, reference: () throws -> (wall: Double, cpu: Double),
        subjectRepeats: Int = 1, subject: () throws -> Void
    ) rethrows -> PairedTiming {
        var measured = [Round]()
        for _ in 0..<max(1, rounds) {
            var best = (wall: Double.infinity, cpu: Double.infinity)
            for _ in 0..<max(1, referenceRepeats) {
                let time = try reference()
                if time.wall < best.wall { best = time }
            }
            var fastest = (wall: Double.infinity, cpu: Double.infinity)
            for _ in 0..<max(1, subjectRepeats) {
                let time = try timed(subject)
                if time.wall < fastest.wall { fastest = time }
            }
            measured.append(Round(
                referenceSeconds: best.wall, referenceCPUSeconds: best.cpu,
                subjectSeconds: fastest.wall, subjectCPUSeconds: fastest.cpu))
        }
        return PairedTiming(rounds: measured)
    }

    /// Repeats of a call that took `seconds` (once, untimed or warm-up) that fill about half a
    /// second, at least 1 and at most 64.
    public static func repeatsFilling(halfASecondAfter seconds: Double) -> Int {
        seconds > 0 ? min(64, max(1, Int((0.5 / seconds).rounded(.up)))) : 1
    }

    /// Times `body` once: wall and process CPU seconds.
    public static func timed(_ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
        let watch = Stopwatch()
        let cpu = ProcessClock.cpuSeconds
        try body()
        return (watch.seconds, ProcessClock.cpuSeconds - cpu)
    }

    public var medianSubjectSeconds: Double { Self.median(rounds.map(\.subjectSeconds)) }
    public var medianSubjectCPUSeconds: Double { Self.median(rounds.map(\.subjectCPUSeconds)) }
    public var medianReferenceSeconds: Double { Self.median(rounds.map(\.referenceSeconds)) }

    /// Median and range over the rounds of subject seconds / reference seconds (wall clock).
    public var timeRatio: (median: Double, lowest: Double, highest: Double) {
        Self.summary(rounds.map { $0.subjectSeconds / $0.referenceSeconds })
    }

    /// Median and range over the rounds of the subject's rate over the reference's, for work
    /// counts (FLOPs) `subjectWork` and `referenceWork`. `perCPUSecond` divides by process CPU
    /// time instead of wall time: unaffected by the machine time-slicing the process with other
    /// jobs, but blind to idle waits (it flatters an uneven split of work).
    public func rateRatio(
        subjectWork: Double, referenceWork: Double, perCPUSecond: Bool = false
    ) -> (median: Double, lowest: Double, highest: Double) {
        Self.summary(rounds.map { round in
            let subject = perCPUSecond ? round.subjectCPUSeconds : round.subjectSeconds
            let reference = perCPUSecond ? round.referenceCPUSeconds : round.referenceSeconds
            return (subjectWork / subject) / (referenceWork / reference)
        })
    }

    /// Median and range over the rounds of the reference's rate for `referenceWork` per round.
    public func referenceRate(work: Double) -> (median: Double, lowest: Double, highest: Double) {
        Self.summary(rounds.map { work / $0.referenceSeconds })
    }

    /// The median of `values` (NaN when empty).
    public static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// Median, lowest and highest of `values`.
    public static func summary(_ values: [Double]) -> (median: Double, lowest: Double, highest: Double) {
        (median(values), values.min() ?? .nan, values.max() ?? .nan)
    }
}
