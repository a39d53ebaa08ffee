import Foundation

extension ShortcutAuditReport {
    /// The audit's figures by file stem, each drawn once for PNG and SVG: box plots of the
    /// border and corner shares per class and method, and one row per example film showing
    /// each intervention, the detected text outlined in red. `examples` are pictures the
    /// transform computed (`PreparedSplit.pictures`), drawn as the model sees them.
    public func figures(examples: [(label: Int, picture: Image)]) -> [(String, FigureDrawing)] {
        var figures = [(String, FigureDrawing)]()
        if !films.isEmpty {
            for (stem, region, name, areaShare) in [("border-share", \RegionShares.border, "border band", area.border),
                                                     ("corner-share", \RegionShares.corners, "corners", area.corners)] {
                let values = methods.map { method in
                    classNames.indices.map { label in films.filter { $0.label == label }.compactMap { $0.shares[method]?[keyPath: region] } }
                }
                let chart = BoxPlotChart(
                    title: "Share of positive relevance in the \(name) (area \(String(format: "%.2f", areaShare)))",
                    yLabel: "share of positive relevance", groups: classNames, series: methods, values: values)
                figures.append((stem, chart.withPooledGroup().drawing()))
            }
        }
        guard !examples.isEmpty else { return figures }
        let height = examples[0].picture.height, width = examples[0].picture.width
        var rows = [[FigurePanel.Tile]]()
        for example in examples {
            let film = FilmIntervention.film(of: example.picture)
            var tiles = [FigurePanel.Tile(title: classNames[example.label], subtitle: "as filmed", image: example.picture)]
            for intervention in interventions {
                // Text is shown where it was found, outlined on the film, rather than painted over.
                if case .maskText(let detector) = intervention {
                    let outlined = Self.outlined(Self.gray(film, height, width), mask: detector.detect(film, height: height, width: width))
                    tiles.append(FigurePanel.Tile(title: intervention.description, subtitle: "detected text in red", image: outlined))
                } else {
                    tiles.append(FigurePanel.Tile(title: intervention.description, image: intervention.apply(to: example.picture)))
                }
            }
            rows.append(tiles)
        }
        let scale = max(1, (256 + max(height, width) - 1) / max(height, width))
        figures.append(("interventions", FigurePanel(
            title: "Interventions of the shortcut audit", subtitle: "one film per class, as the model sees it", rows: rows, scale: scale).drawing()))
        return figures
    }

    static func gray(_ pixels: [Float], _ height: Int, _ width: Int) -> Image {
        Image(width: width, height: height, channels: 1, pixels: pixels)
    }

    /// `image` in RGB with the outline of `mask` (mask pixels with an unmasked 4-neighbour) in red.
    static func outlined(_ image: Image, mask: [Bool]) -> Image {
        let width = image.width, height = image.height, plane = width * height
        var pixels = image.pixels + image.pixels + image.pixels
        for index in 0..<plane where mask[index] {
            let y = index / width, x = index % width
            func outside(_ ny: Int, _ nx: Int) -> Bool {
                ny < 0 || ny >= height || nx < 0 || nx >= width || !mask[ny * width + nx]
            }
            guard outside(y - 1, x) || outside(y + 1, x) || outside(y, x - 1) || outside(y, x + 1) else { continue }
            pixels[index] = 1
            pixels[plane + index] = 0
            pixels[2 * plane + index] = 0
        }
        return Image(width: width, height: height, channels: 3, pixels: pixels)
    }
}
