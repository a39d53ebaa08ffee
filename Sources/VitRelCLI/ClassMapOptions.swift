import ArgumentParser
import VitRel

/// `--class-map`, for data whose class names differ from the model's (COVID-QU-Ex's
/// "COVID-19" against a model's "COVID").
struct ClassMapOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Data class = model class pairs for names that differ beyond case and punctuation, e.g. \"COVID-19=COVID,Non-COVID=Viral Pneumonia\".",
        valueName: "a=b,..."))
    var classMap: String?

    /// The pairs, data name → model name.
    func aliases() throws -> [String: String] {
        guard let classMap else { return [:] }
        var aliases = [String: String]()
        for pair in classMap.split(separator: ",") {
            let sides = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard sides.count == 2, !sides[0].isEmpty, !sides[1].isEmpty else {
                throw ValidationError("--class-map takes data=model pairs separated by commas, got \"\(pair)\"")
            }
            guard aliases[sides[0]] == nil else { throw ValidationError("--class-map names \"\(sides[0])\" twice") }
            aliases[sides[0]] = sides[1]
        }
        return aliases
    }
}
