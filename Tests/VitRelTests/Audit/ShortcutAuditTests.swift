import XCTest
@testable import VitRel
@testable import VitRelModel
@testable import VitRelData
@testable import VitRelRendering
@testable import VitRelExplain
@testable import VitRelMetrics
@testable import VitRelTraining
@testable import VitRelReporting

/// The border-share agreement and the files the audit writes, on constructed films.
final class ShortcutAuditTests: XCTestCase {
    static func film(
        _ image: String, label: Int, predicted: Int, probability: Double, after: [String: Double], shares: [String: RegionShares]
    ) -> ShortcutAudit.ExplainedFilm {
        ShortcutAudit.ExplainedFilm(
            image: image, label: label, predicted: predicted, probability: probability, probabilityAfter: after, shares: shares, textArea: 0.01)
    }

    static func share(_ border: Double) -> RegionShares { RegionShares(border: border, corners: border / 2, centre: 1 - border) }

    func testBorderAgreementIsSpearmanOfBorderShareAgainstTheProbabilityLost() {
        let borders = [0.30, 0.10, 0.55, 0.20, 0.40]
        // Binary fractions, so that the drops are exact and the tie is a tie.
        let probability = [0.875, 0.75, 0.75, 1.0, 0.625], after = [0.5, 0.625, 0.125, 0.875, 0.375]
        var films = (0..<5).map { n in
            Self.film("f\(n)", label: n % 3, predicted: n % 3, probability: probability[n], after: ["blank-border": after[n]],
                      shares: ["chefer-lrp": Self.share(borders[n]), "attention-rollout": Self.share(1 - borders[n])])
        }
        let drops = zip(probability, after).map { $0 - $1 }  // 0.375, 0.125, 0.625, 0.125, 0.25
        XCTAssertEqual(ShortcutAudit.borderAgreement(films, method: "chefer-lrp", intervention: "blank-border"),
                       Statistics.spearman(borders, drops), accuracy: 1e-15)
        // By hand: border ranks 3, 1, 5, 2, 4; drop ranks 4, 1.5, 5, 1.5, 3 (a tie).
        let rankX = [3.0, 1, 5, 2, 4], rankY = [4.0, 1.5, 5, 1.5, 3]
        let mx = 3.0, my = 3.0
        let sxy = zip(rankX, rankY).map { ($0 - mx) * ($1 - my) }.reduce(0, +)
        let sxx = rankX.map { ($0 - mx) * ($0 - mx) }.reduce(0, +), syy = rankY.map { ($0 - my) * ($0 - my) }.reduce(0, +)
        XCTAssertEqual(ShortcutAudit.borderAgreement(films, method: "chefer-lrp", intervention: "blank-border"),
                       sxy / (sxx * syy).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(ShortcutAudit.borderAgreement(films, method: "attention-rollout", intervention: "blank-border"),
                       -Statistics.spearman(borders, drops), accuracy: 1e-12, "1 − share reverses the ranks")

        // Films whose share is NaN, that lack the method or the intervention are left out.
        films.append(Self.film("nan", label: 0, predicted: 0, probability: 0.9, after: ["blank-border": 0.0],
                               shares: ["chefer-lrp": RegionShares(border: .nan, corners: .nan, centre: .nan)]))
        films.append(Self.film("no-method", label: 0, predicted: 0, probability: 0.9, after: ["blank-border": 0.0], shares: [:]))
        films.append(Self.film("no-intervention", label: 0, predicted: 0, probability: 0.9, after: [:],
                               shares: ["chefer-lrp": Self.share(0.01)]))
        XCTAssertEqual(ShortcutAudit.borderAgreement(films, method: "chefer-lrp", intervention: "blank-border"),
                       Statistics.spearman(borders, drops), accuracy: 1e-15)

        // Fewer than 3 usable films: NaN, even when the two agree perfectly.
        XCTAssertTrue(ShortcutAudit.borderAgreement(Array(films.prefix(2)), method: "chefer-lrp", intervention: "blank-border").isNaN)
        XCTAssertTrue(ShortcutAudit.borderAgreement(Array(films.prefix(2)) + films.suffix(3), method: "chefer-lrp",
                                                    intervention: "blank-border").isNaN)
        XCTAssertTrue(ShortcutAudit.borderAgreement(films, method: "lime", intervention: "blank-border").isNaN)
        XCTAssertEqual(ShortcutAudit.borderAgreement(Array(films.prefix(3)), method: "chefer-lrp", intervention: "blank-border"), 1,
                       accuracy: 1e-12, "ranks (2, 1, 3) against (2, 1, 3)")
    }
}
