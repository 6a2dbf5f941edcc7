/// The entry points of `wsload merge` and `wsload collect`: merge the shards' raw data, then analyse once.
extension Report {
    /// Merges shard reports read from `labels` (file names, named in errors); see ``ReportMerger``.
    public static func merging(_ reports: [Report], labels: [String]) throws(MergeError) -> Report {
        try ReportMerger.merge(reports, options: .init(labels: labels))
    }
}

extension JobCollector.Collected {
    /// The pods' reports merged into one, the collection's notes and problems carried along.
    public func merged() throws(MergeError) -> Report {
        try ReportMerger.merge(reports.map(\.report), options: .init(labels: reports.map { "pod \($0.pod)" }, notes: notes, warnings: problems))
    }
}
