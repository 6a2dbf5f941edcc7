/// A plain-text table with aligned columns, used by `TableRenderer`.
struct TextTable {
    /// Column alignment.
    enum Alignment { case left, right }

    var headers: [String]
    var alignments: [Alignment]
    var rows: [[String]] = []

    /// Lines of the table; `style(row, column, paddedText)` may wrap a padded cell (row −1 is the header).
    func lines(indent: String = "  ", style: (Int, Int, String) -> String = { $2 }) -> [String] {
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        func render(_ cells: [String], _ r: Int) -> String {
            let padded = cells.enumerated().map { i, cell -> String in
                let fill = String(repeating: " ", count: widths[i] - cell.count)
                let text = alignments[i] == .left ? cell + fill : fill + cell
                return style(r, i, text)
            }
            var line = indent + padded.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            return line
        }
        return [render(headers, -1)] + rows.enumerated().map { render($1, $0) }
    }
}
