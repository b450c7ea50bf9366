import Foundation
import TownhallKernel

/// A horizontal bar chart as inline SVG, drawn on the server so the dashboard needs no JavaScript. The chart is an image
/// with a text alternative (its title and every value); the page shows the same figures in a table beside it.
struct BarChart {
    struct Bar { var label: String; var value: Int }

    var id: String
    var title: String
    var bars: [Bar]
    var colour = "#1d70b8"

    static let width = 720, labelWidth = 320, barHeight = 28, gap = 10

    var svg: String {
        let maximum = max(1, bars.map(\.value).max() ?? 0)
        let plot = Double(Self.width - Self.labelWidth - 60)
        let height = max(1, bars.count) * (Self.barHeight + Self.gap)
        let description = bars.isEmpty ? "No data." : bars.map { "\($0.label): \($0.value)" }.joined(separator: "; ")
        var out = """
            <svg class="th-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(Self.width) \(height)" width="100%" role="img" \
            aria-labelledby="\(id)-title \(id)-desc"><title id="\(id)-title">\(XMLText.escape(title))</title><desc id="\(id)-desc">\(XMLText.escape(description))</desc>
            """
        for (i, bar) in bars.enumerated() {
            let y = i * (Self.barHeight + Self.gap)
            let length = bar.value == 0 ? 0 : max(2, Int((Double(bar.value) / Double(maximum) * plot).rounded()))
            out += """
                <text x="\(Self.labelWidth - 10)" y="\(y + 19)" text-anchor="end" font-size="16" fill="#0b0c0c">\(XMLText.escape(bar.label))</text>\
                <rect x="\(Self.labelWidth)" y="\(y)" width="\(length)" height="\(Self.barHeight)" fill="\(colour)"/>\
                <text x="\(Self.labelWidth + length + 8)" y="\(y + 19)" font-size="16" font-weight="bold" fill="#0b0c0c">\(bar.value)</text>
                """
        }
        return out + "</svg>"
    }
}
