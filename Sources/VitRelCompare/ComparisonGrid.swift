import Foundation
import VitRel

/// One image's figure in a comparison, laid out like Figure 4 of the COVID ViT paper: a row
/// per method holding the map of every class, LIME's row adding its top-3 and top-8
/// superpixel masks for the predicted class. Each row keeps its own colour bar, because the
/// methods' maps are drawn on different scales (min–max jet, or signed RdBu_r).
struct ComparisonGrid {
    var file: String
    var label: String
    var model: ClassifierModel
    var image: PreparedImage
    var probabilities: [Double]
    var predicted: Int
    var explainers: [PixelExplainer]
    var alpha: Float
    /// Explanations of every class already computed (LIME's, kept from the rows), by method.
    var precomputed = [ExplanationMethod: Explanation]()
    /// LIME masks drawn (numbers of positive superpixels), as in the paper.
    var featureCounts = [3, 8]

    /// The panels of every method stacked, each clipped to its own size: for the PNG and the SVG.
    func drawing() throws -> FigureDrawing {
        let classes = model.classNames
        let targets = Array(classes.indices)
        let pixelImage = image.pixels
        let background = pixelImage.gray()
        let side = max(pixelImage.width, pixelImage.height)
        let scale = max(1, (ExplanationFigure.minimumTileSide + side - 1) / side)
        var panels = [FigureDrawing]()
        for (row, explainer) in explainers.enumerated() {
            let method = explainer.method
            let explanation = try precomputed[method] ?? explainer.explain(image, targets: targets, model: model)
            let overlay = ExplanationFigure.overlay(for: method, alpha: alpha)
            var tiles = [row == 0
                ? FigurePanel.Tile(title: "Input", subtitle: "true \(label)", image: background)
                : FigurePanel.Tile(title: "", image: nil)]
            for (target, map) in zip(targets, explanation.pixelMaps) {
                tiles.append(FigurePanel.Tile(
                    title: classes[target],
                    subtitle: String(format: "p = %.3f", probabilities[target]) + (target == predicted ? ", predicted" : ""),
                    image: overlay.blend(map.normalised(overlay.scaling), over: background)))
            }
            if let lime = explanation.lime {
                for count in featureCounts {
                    tiles.append(try ExplanationFigure.limeMask(
                        lime, label: predicted, className: classes[predicted], count: count, background: background).tile)
                }
            }
            let title = row == 0 ? "\(file) · true \(label) · predicted \(classes[predicted])" : ""
            let subtitle = method.rawValue + " · " + (overlay.scaling == .minMax ? "maps min-max normalised" : "maps divided by max|R|")
                + String(format: " · %.2f s", explanation.seconds)
            panels.append(FigurePanel(
                title: title, subtitle: subtitle, rows: [tiles],
                colorBar: ColorBar(for: overlay, caption: overlay.scaling == .minMax ? "min–max" : "R/max|R|"), scale: scale
            ).drawing())
        }
        var stack = FigureDrawing(width: panels.map(\.width).max()!, height: panels.map(\.height).reduce(0, +), background: .white)
        var y = 0
        for panel in panels {
            stack.marks.append(.figure(panel, x: 0, y: y))
            y += panel.height
        }
        return stack
    }
}
