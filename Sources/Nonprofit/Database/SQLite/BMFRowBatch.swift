/// One batch of checked BMF rows, kept as their bytes: filled from the file while the writer
/// binds the batch before it, so that reading and checking rows no longer waits on SQLite.
struct BMFRowBatch {
    /// Every row's bytes, one after the other.
    private(set) var bytes: [UInt8] = []
    /// For each row, where each of its fields starts and ends in `bytes` (`fieldsPerRow` pairs).
    private var bounds: [Int32] = []
    private(set) var rows: [BMFRowSource.Row] = []

    private static let fieldsPerRow = BMFImporter.columns.count
    /// The bytes a batch holds at most: 100,000 real rows are about 20 MB; rows of hostile length end a batch sooner.
    static let maximumBytes = 64 << 20

    var isEmpty: Bool { rows.isEmpty }
    var count: Int { rows.count }
    private var isFull: Bool { bytes.count >= Self.maximumBytes - BMFRowSource.maximumRowBytes }

    /// Reads the source's next batch (rows checked and counted there).
    init(reading source: BMFRowSource) throws {
        bytes.reserveCapacity(BMFRowSource.batchSize * 200)
        bounds.reserveCapacity(BMFRowSource.batchSize * Self.fieldsPerRow * 2)
        rows.reserveCapacity(BMFRowSource.batchSize)
        try source.readBatch(until: { isFull }) { record, row in append(record, row) }
    }

    private mutating func append(_ record: CSVReader.RawRecord, _ row: BMFRowSource.Row) {
        let base = bytes.count
        bytes.append(contentsOf: record.bytes)
        for field in 0..<Self.fieldsPerRow {
            bounds.append(Int32(base + record.starts[field]))
            bounds.append(Int32(base + record.ends[field]))
        }
        rows.append(row)
    }

    /// Where field `field` of row `row` lies in `bytes`.
    func range(_ row: Int, _ field: Int) -> Range<Int> {
        let at = (row * Self.fieldsPerRow + field) * 2
        return Int(bounds[at])..<Int(bounds[at + 1])
    }
}
