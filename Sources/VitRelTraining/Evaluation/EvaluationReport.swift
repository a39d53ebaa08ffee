import Foundation

/// Everything `vitrel evaluate` reports on one split: the classification report, the
/// calibration of the probabilities it was computed from, the temperature the logits were
/// divided by first, and — when asked — a temperature fitted on this split.
///
/// In JSON the classification report's keys stay at the top level, as before calibration was
/// added (a reader of that output keeps working), beside `calibration`, `temperature` and, when
/// fitted, `temperatureScaling`.
public struct EvaluationReport: Codable, Equatable, Sendable {
    public var classification: ClassificationReport
    public var calibration: CalibrationReport
    /// The T every logit was divided by before the reports were computed (1: none). A T from
    /// another split (validation) makes this split's calibration an honest test of it.
    public var temperature: Double
    /// A temperature fitted on these very predictions: its `after` flatters them.
    public var temperatureScaling: TemperatureScaling?

    /// Reports `predictions` (single-label) at `temperature`, calibration over `binCount` bins;
    /// with `fitTemperature` also fits T on them (on the unscaled logits, so `temperature` must
    /// then be 1).
    public init(
        predictions: ModelPredictions, classNames: [String], temperature: Double = 1,
        binCount: Int = CalibrationReport.defaultBinCount, fitTemperature: Bool = false
    ) throws {
        precondition(!fitTemperature || temperature == 1, "a temperature is either given or fitted, not both")
        classification = try predictions.classificationReport(classNames: classNames, temperature: temperature)
        calibration = try predictions.calibrationReport(temperature: temperature, binCount: binCount)
        self.temperature = temperature
        temperatureScaling = try fitTemperature ? predictions.fitTemperature(binCount: binCount) : nil
    }

    private enum CodingKeys: String, CodingKey {
        case calibration, temperature, temperatureScaling
    }

    public init(from decoder: Decoder) throws {
        classification = try ClassificationReport(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        calibration = try container.decode(CalibrationReport.self, forKey: .calibration)
        temperature = try container.decode(Double.self, forKey: .temperature)
        temperatureScaling = try container.decodeIfPresent(TemperatureScaling.self, forKey: .temperatureScaling)
    }

    public func encode(to encoder: Encoder) throws {
        try classification.encode(to: encoder)  // its keys at the top level, as before
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(calibration, forKey: .calibration)
        try container.encode(temperature, forKey: .temperature)
        try container.encodeIfPresent(temperatureScaling, forKey: .temperatureScaling)
    }

    /// The report as pretty-printed JSON with sorted keys.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// The classification report, the calibration, and the fitted temperature when there is one.
    public func text(digits: Int = 4) -> String {
        var text = classification.text(digits: digits) + "\n"
        let heading = temperature == 1 ? nil : "calibration of softmax(logits / T), T = \(temperature) (top label, \(calibration.binCount) equal-width bins; Guo et al. 2017)"
        text += calibration.text(digits: digits, heading: heading)
        if let temperatureScaling { text += "\n" + temperatureScaling.text(digits: digits) }
        return text
    }
}
