// Checks a caller's sc_batch and views it: the engine reads the caller's memory in place (int32 ids
// are widened into a copy) for the duration of one call.
#pragma once
#include <vector>

#include "sc_array.h"
#include "sc_model_types.h"

namespace sc {

struct BatchView {
    int64_t rows = 0;              // B
    int64_t max_length = 0;        // T, the padded length
    int64_t features_per_step = 0; // F when features is set
    const int64_t* ids = nullptr;       // [B, T] token ids, or null
    const int64_t* type_ids = nullptr;  // [B, T] segment ids, or null (all 0)
    const float* features = nullptr;    // [B, T, F] feature vectors, or null
    const int64_t* lengths = nullptr;   // [B], each in [1, T]
    Array<int64_t> widened_ids;         // int32 ids as int64 (ids points here then)
    Array<int64_t> widened_type_ids;    // and int32 segment ids
    const int64_t* documents = nullptr; // [B] the document of each row (sc_batch.documents), or null
    int64_t document_count = 0;         // D, or 0: each row its own
    std::vector<int64_t> document_rows; // [D] each document's rows (counted once, where they are checked)

    // The rows the outputs, targets and loss are of: the documents, or the rows.
    int64_t outputs() const { return document_count > 0 ? document_count : rows; }

    // The longest row's length (<= max_length).
    int64_t longest() const;
};

// Throws InvalidArgument naming the row and value for a zero batch, a length outside
// [1, max_length], an id outside [0, vocab_size), a segment id outside [0, token_types) or segment ids
// for a model without them, a NaN/Inf feature, or features of another width.
BatchView view_batch(const sc_batch* batch, const sc_model_config& config);

// Throws InvalidArgument naming the row of a label outside [0, num_classes).
void check_labels(const int64_t* labels, int64_t batch_size, int64_t num_classes);
// The targets of a batch for the model's task (sc_targets): labels in range, or multi-label values in
// [0, 1], or finite regression scores; throws InvalidArgument naming the row (and the label).
void check_targets(const sc_targets* targets, int64_t batch_size, const sc_model_config& config);

}  // namespace sc
