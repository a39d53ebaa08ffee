import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRelExplain

/// The layer rules against zennit 0.5.1's (`zennit/rules.py`), on one Linear layer with a bias
/// and signed inputs and one patch embedding on a signed image, in Float64; and the signed γ
/// rule against a hand computation where the form for non-negative inputs flips its
/// denominator (issue 17). Fixture: Tools/make_lrp_parity_fixtures.py (`layers.json`).
final class ZennitRuleParityTests: XCTestCase {
    struct LayerFixture: Decodable {
        struct LinearCase: Decodable {
            let weight: [Double], bias: [Double], rows: Int, inputs: Int, outputs: Int
            let x: [Double], relevance_out: [Double], gamma: Double, old_gamma_denominator_flips: Int
            let rules: [String: [Double]]
        }
        struct PatchCase: Decodable {
            let weight: [Double], bias: [Double], channels: Int, side: Int, patch: Int, width: Int
            let image: [Double], relevance_out: [Double], low: Double, high: Double, gamma: Double
            let rules: [String: [Double]]
        }
        let linear: LinearCase
        let patch_embedding: PatchCase
    }

    static func fixture() throws -> LayerFixture {
        try JSONDecoder().decode(LayerFixture.self, from: Data(contentsOf: TestPaths.fixture("lrp_parity/layers.json")))
    }

    func assertClose(_ ours: [Double], _ theirs: [Double], _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(ours.count, theirs.count, label, file: file, line: line)
        let scale = theirs.map(abs).max()!
        let worst = zip(ours, theirs).map { abs($0 - $1) }.max()!
        XCTAssertLessThanOrEqual(worst, 1e-12 * scale, "\(label): max |Δ| \(worst) of max |R| \(scale)", file: file, line: line)
    }

    /// ε (zennit `Epsilon(1e-6)`), the generalised γ (`Gamma(0.25)`), z⁺ (`ZPlus()`) and
    /// Chefer's αβ, the linear rule of `lrp-full` (`AlphaBeta(1, 0)` with the bias zeroed and
    /// stabiliser 1e-9), textbook and fast forms.
    func testLinearRulesEqualZennit() throws {
        let f = try Self.fixture().linear
        let layer = Linear<Double>(weight: Tensor(shape: [f.outputs, f.inputs], scalars: f.weight), bias: Tensor(shape: [f.outputs], scalars: f.bias))
        XCTAssertGreaterThan(f.old_gamma_denominator_flips, 0, "the fixture input flips the non-negative γ denominator")
        let output = layer.forward(f.x, rows: f.rows)
        let cases: [(String, RelevanceRules.LinearRule, Double, [Double]?)] = [
            ("epsilon", .epsilon(1e-6), 1e-6, nil), ("gamma", .gamma(f.gamma), 1e-6, nil), ("zplus", .zPlus, 1e-6, nil),
            ("alphabeta_nobias", .alphaBeta(alpha: 1, beta: 0), 1e-9, nil), ("alphabeta_nobias", .alphaBeta(alpha: 1, beta: 0), 1e-9, output),
            ("gamma", .gamma(f.gamma), 1e-6, output),
        ]
        for (name, rule, stabiliser, given) in cases {
            let (relevance, _) = layer.relevance(f.relevance_out, input: f.x, rows: f.rows, rule: rule, stabiliser: stabiliser, output: given)
            assertClose(relevance, f.rules[name]!, "\(name)\(given == nil ? "" : " (forward output given)")")
        }
    }

    /// The patch embedding: γ and z⁺ on the unfolded patches, and Chefer's zᴮ (the pixel rule
    /// of `lrp-full`) against zennit's `ZBox` with the image's min and max as bounds.
    func testPatchEmbeddingRulesEqualZennit() throws {
        let f = try Self.fixture().patch_embedding
        let features = f.channels * f.patch * f.patch
        let embedding = PatchEmbedding<Double>(
            projection: Linear(weight: Tensor(shape: [f.width, features], scalars: f.weight), bias: Tensor(shape: [f.width], scalars: f.bias)),
            patchSize: f.patch, channels: f.channels)
        let grid = f.side / f.patch, patchCount = grid * grid
        let patches = embedding.unfold(f.image, batch: 1, height: f.side, width: f.side)
        // zennit's [1, D, grid, grid] output relevance → vitrel's [P, D] rows
        var r = [Double](repeating: 0, count: patchCount * f.width)
        for d in 0..<f.width { for p in 0..<patchCount { r[p * f.width + d] = f.relevance_out[d * patchCount + p] } }
        XCTAssertEqual(f.low, f.image.min()!)
        XCTAssertEqual(f.high, f.image.max()!)
        for (name, rule, stabiliser) in [("gamma", RelevanceRules.PatchRule.linear(.gamma(f.gamma)), 1e-6),
                                         ("zplus", .linear(.zPlus), 1e-6), ("zbox", .zB, 1e-9)] {
            let (relevance, _) = embedding.relevance(r, patches: patches, batch: 1, patchesPerImage: patchCount, rule: rule, stabiliser: stabiliser)
            assertClose(embedding.fold(relevance, batch: 1, height: f.side, width: f.side), f.rules[name]!, name)
        }
    }

    /// Issue 17, item 3. One output, w = (1, −1), x = (−1, −1.2): z = 0.2 > 0. The form for
    /// non-negative inputs divides by x·(W + γW⁺)ᵀ = 0.2 + γ·(−1) = −0.05 at γ = 0.25: the
    /// denominator has flipped, and it returns R_in = (25, −24) for R = 1. The signed form reads
    /// x⁻ against W + γW⁻ = (1, −1.25): z′ = −1 + 1.5 = 0.5 ≥ z, R_in = (−1, 1.5)/0.5 = (−2, 3).
    func testSignedGammaKeepsTheDenominatorWhereTheNonNegativeFormFlipsIt() {
        let layer = Linear<Double>(weight: Tensor(shape: [1, 2], scalars: [1, -1]), bias: nil)
        let x = [-1.0, -1.2]
        let (relevance, absorbed) = layer.relevance([1], input: x, rows: 1, rule: .gamma(0.25), stabiliser: 0)
        XCTAssertEqual(relevance[0], -2, accuracy: 1e-14)
        XCTAssertEqual(relevance[1], 3, accuracy: 1e-14)
        XCTAssertEqual(absorbed, 0)
        // The non-negative form, by hand: its denominator has the opposite sign to z.
        let z = layer.forward(x, rows: 1)[0]
        let nonNegativeDenominator = x[0] * (1 + 0.25 * 1) + x[1] * (-1)
        XCTAssertGreaterThan(z, 0)
        XCTAssertLessThan(nonNegativeDenominator, 0)
        XCTAssertEqual(x[0] * 1.25 / nonNegativeDenominator, 25, accuracy: 1e-12)
        XCTAssertNotEqual(relevance[0], x[0] * 1.25 / nonNegativeDenominator, accuracy: 1)
    }

    /// The γb± bias term, by hand: w = (1, −1), b = 0.1, x = (−1, −1.2): z = 0.3 > 0, so
    /// z′ = x⁻·(1, −1.25) + b + γb⁺ = 0.5 + 0.125 = 0.625, R_in = (−1, 1.5)/0.625 and the bias
    /// term absorbs 0.125/0.625 = 0.2; for a negative output the term is b + γb⁻ = b (b > 0).
    /// z⁺ on the same input: z′ = x⁺·W⁺ + x⁻·W⁻ + b⁺ = 1.2 + 0.1, R_in = (0, 1.2)/1.3.
    func testSignedRulesBiasTermsByHand() {
        let layer = Linear<Double>(weight: Tensor(shape: [1, 2], scalars: [1, -1]), bias: Tensor(shape: [1], scalars: [0.1]))
        let (gamma, gammaBias) = layer.relevance([1], input: [-1, -1.2], rows: 1, rule: .gamma(0.25), stabiliser: 0)
        XCTAssertEqual(gamma[0], -1 / 0.625, accuracy: 1e-14)
        XCTAssertEqual(gamma[1], 1.5 / 0.625, accuracy: 1e-14)
        XCTAssertEqual(gammaBias, 0.2, accuracy: 1e-14)
        // negative output: x = (1, 1.5), z = −0.4; z′ = x⁺·(W + γW⁻) + b = 1 − 1.875 + 0.1 = −0.775
        let (negative, negativeBias) = layer.relevance([1], input: [1, 1.5], rows: 1, rule: .gamma(0.25), stabiliser: 0)
        XCTAssertEqual(negative[0], 1 / -0.775, accuracy: 1e-14)
        XCTAssertEqual(negative[1], -1.875 / -0.775, accuracy: 1e-14)
        XCTAssertEqual(negativeBias, 0.1 / -0.775, accuracy: 1e-14)
        let (zPlus, zPlusBias) = layer.relevance([1], input: [-1, -1.2], rows: 1, rule: .zPlus, stabiliser: 0)
        XCTAssertEqual(zPlus[0], 0)
        XCTAssertEqual(zPlus[1], 1.2 / 1.3, accuracy: 1e-14)
        XCTAssertEqual(zPlusBias, 0.1 / 1.3, accuracy: 1e-14)
    }

    /// A random layer with signed inputs: the signed γ and z⁺ conserve up to their bias term
    /// exactly at stabiliser 0; with a stabiliser ε the remaining leak is Σ_j R_j·ε/(|z′_j| + ε),
    /// computed here from the rule's own denominators.
    func testSignedRulesLeakOnlyTheirBiasTermAndTheStabiliser() {
        var g = SeededGenerator(seed: 41)
        let rows = 4, inputs = 8, outputs = 6
        let layer = Linear<Double>(
            weight: Tensor(shape: [outputs, inputs], scalars: (0..<(outputs * inputs)).map { _ in g.nextGaussian() }),
            bias: Tensor(shape: [outputs], scalars: (0..<outputs).map { _ in 0.5 * g.nextGaussian() }))
        let x = (0..<(rows * inputs)).map { _ in g.nextGaussian() }
        let r = (0..<(rows * outputs)).map { _ in g.nextGaussian() }
        let total = r.reduce(0, +)
        let z = layer.forward(x, rows: rows)
        let (positive, negative) = layer.gammaTerms(0.25)
        for (rule, terms) in [(RelevanceRules.LinearRule.gamma(0.25), [positive, negative]), (.zPlus, [layer.zPlusTerm()])] {
            let (exact, exactBias) = layer.relevance(r, input: x, rows: rows, rule: rule, stabiliser: 0)
            XCTAssertEqual(exact.reduce(0, +) + exactBias, total, accuracy: 1e-12, "\(rule)")
            XCTAssertNotEqual(exactBias, 0)
            let epsilon = 0.05
            let (stabilised, stabilisedBias) = layer.relevance(r, input: x, rows: rows, rule: rule, stabiliser: epsilon)
            var expectedLeak = 0.0
            for row in 0..<rows {
                for j in 0..<outputs {
                    for term in terms {
                        switch term.outputs {
                        case .positive where z[row * outputs + j] <= 0, .negative where z[row * outputs + j] >= 0: continue
                        default: break
                        }
                        var denominator = term.bias![j]
                        for i in 0..<inputs {
                            let xi = x[row * inputs + i]
                            denominator += max(xi, 0) * term.positiveInputWeight[j * inputs + i] + min(xi, 0) * term.negativeInputWeight[j * inputs + i]
                        }
                        expectedLeak += r[row * outputs + j] * epsilon / (abs(denominator) + epsilon)
                    }
                }
            }
            XCTAssertEqual(total - stabilised.reduce(0, +) - stabilisedBias, expectedLeak, accuracy: 1e-12, "\(rule)")
        }
    }
}
