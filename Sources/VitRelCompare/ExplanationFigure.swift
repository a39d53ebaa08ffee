import Foundation
import VitRel

/// The figure panel of one explained image, as in Figure 4 of the COVID ViT papers: the input,
/// then the map of each target class titled with the class and its probability; with LIME,
/// one row per class that adds the top-k superpixel masks.
struct ExplanationFigure {
    var file: String
    var method: ExplanationMethod
    /// The method's settings by flag name (empty for none).
    var settings: [String: String]
    /// LIME's segmentation and sampling, for the subtitle.
    var limeSettings: String?
    var modelName: String
    var classes: [String]
    var probabilities: [Double]
    var predicted: Int
    /// The model input in pixel space.
    var input: Image
    var targets: [Int]
    /// The overlay of each target.
    var overlays: [Image]
    /// LIME only: the mask tiles of each target.
    var maskTiles: [[FigurePanel.Tile]]
    var overlay: Overlay

    /// Tiles are enlarged to at least this many pixels across (a 32-pixel test model stays readable).
    static let minimumTileSide = 192

    func panel() -> FigurePanel {
        let inputTile = FigurePanel.Tile(
            title: "Input", subtitle: "\(input.width)×\(input.height), predicted \(classes[predicted])", image: input.gray())
        let mapTiles = zip(targets, overlays).map { target, image in
            FigurePanel.Tile(
                title: classes[target],
                subtitle: String(format: "p = %.3f", probabilities[target]) + (target == predicted ? ", predicted" : ""),
                image: image)
        }
        let rows: [[FigurePanel.Tile]]
        if maskTiles.isEmpty {
            rows = [[inputTile] + mapTiles]
        } else {
            // The input once, in the first row; later rows leave its column empty.
            rows = mapTiles.indices.map { k in
                [k == 0 ? inputTile : FigurePanel.Tile(title: "", image: nil), mapTiles[k]] + maskTiles[k]
            }
        }
        var details = ["model \(modelName)"]
        details += settings.keys.sorted().map { "\($0) \(settings[$0]!)" }
        if let limeSettings { details.append(limeSettings) }
        details.append(overlay.scaling == .minMax ? "maps min-max normalised (Chefer et al. 2021)" : "maps divided by max|R|")
        details.append(String(format: "alpha %.2g", overlay.alpha))
        let side = max(input.width, input.height)
        return FigurePanel(
            title: "\(file) · \(method.rawValue)", subtitle: details.joined(separator: " · "), rows: rows,
            colorBar: ColorBar(for: overlay, caption: overlay.scaling == .minMax ? "min–max" : "R/max|R|"),
            scale: max(1, (Self.minimumTileSide + side - 1) / side))
    }
}

extension ExplanationFigure {
    /// How a method's maps are drawn: jet over [0, 1] after min–max normalisation for
    /// non-negative maps, RdBu_r over [−1, 1] after division by max|R| for signed ones.
    static func overlay(for method: ExplanationMethod, alpha: Float) -> Overlay {
        Overlay(colorMap: method.isSigned ? .rdBuReversed : .jet, scaling: method.isSigned ? .symmetric : .minMax, alpha: alpha)
    }

    /// The superpixels lime_image's `get_image_and_mask(positive_only=True, num_features=count)`
    /// keeps for `label`, and the tile that outlines them over `background`.
    static func limeMask(
        _ explanation: LIMEExplanation, label: Int, className: String, count: Int, background: Image
    ) throws -> (chosen: Set<Int>, tile: FigurePanel.Tile) {
        let segmentation = explanation.segmentation
        let mask = try explanation.mask(label: label, positiveOnly: true, numberOfFeatures: count)
        let chosen = Set(zip(segmentation.labels, mask).compactMap { $1 == 1 ? Int($0) : nil })
        let tile = FigurePanel.Tile(
            title: "LIME top \(count)", subtitle: "\(className): \(chosen.count) positive superpixel\(chosen.count == 1 ? "" : "s")",
            image: SuperpixelOutline(fillOpacity: 0.18).draw(segmentation, chosen: chosen, over: background))
        return (chosen, tile)
    }
}
