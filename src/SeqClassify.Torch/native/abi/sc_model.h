// The sequence classifier: create, train one batch, predict one batch, export and import weights.
// One native call per batch: the managed side never drives individual tensor operations.
#pragma once
#include "sc_export.h"
#include "sc_model_types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sc_model sc_model;

// The options, the batch, the step's result and the enums of their values are the model layer's own
// plain-C types (model/sc_model_types.h), passed through unchanged.

// What kind of value a field holds, for the layout table.
typedef enum sc_field_kind {
    SC_FIELD_INT = 0,      // signed integer (int32 or int64 by size)
    SC_FIELD_UINT = 1,     // unsigned integer
    SC_FIELD_FLOAT = 2,    // IEEE single
    SC_FIELD_POINTER = 3   // const float*
} sc_field_kind;

// Every value of the enums of sc_model_types.h (index from 0): its enum's name ("sc_cell"), its own ("SC_CELL_GRU")
// and its value; the names are static, never freed. SC_STATUS_INVALID_ARGUMENT past the last.
SC_API int32_t sc_model_enum_value_count(void);
SC_API sc_status sc_model_enum_value(int32_t index, const char** out_enum, const char** out_name, int32_t* out_value);

// sizeof of sc_model_config, sc_batch, sc_step_result and sc_targets, and SC_MODEL_ABI_VERSION, for the
// managed side's layout check.
SC_API void sc_model_abi(int64_t* out_config_size, int64_t* out_batch_size, int64_t* out_step_result_size,
                         int64_t* out_targets_size, int32_t* out_version);

// sc_model_config's layout, field by field (index from 0): its name (static, never freed), byte
// offset, size and kind. SC_STATUS_INVALID_ARGUMENT past the last field; out_count: how many.
SC_API int32_t sc_model_config_field_count(void);
SC_API sc_status sc_model_config_field(int32_t index, const char** out_name, int64_t* out_offset, int64_t* out_size,
                                       int32_t* out_kind);

// The options a model was created with, as it holds them (its pointers are null: the model keeps
// no caller memory), so that callers can check what reached the engine.
SC_API sc_status sc_model_config_read(sc_model* model, sc_model_config* out_config);

SC_API sc_status sc_model_create(const sc_model_config* config, sc_model** out_model);
SC_API void sc_model_dispose(sc_model* model);

SC_API sc_status sc_model_parameter_count(sc_model* model, int64_t* out_count);

// A Transformer's position table, max_positions x hidden_size floats row-major, as its forward pass adds it
// (learned, or the fixed sinusoids): what an exporter writes, so that the table has one definition.
// SC_STATUS_INVALID_ARGUMENT for an RNN, or an out_values of fewer floats.
SC_API sc_status sc_model_position_table(sc_model* model, float* out_values, int64_t out_capacity);

// One optimisation step: forward, the task's loss against the targets (sc_targets), backward, clipping,
// AdamW with this learning rate.
// In a process group (abi/sc_distributed.h) the gradients are those of every rank's rows together, and
// the result is over them all; a rank with no rows for this step passes a null batch and targets.
SC_API sc_status sc_model_train_step(sc_model* model, const sc_batch* batch, const sc_targets* targets,
                                     double learning_rate, sc_step_result* out_result);

// One optimisation step over `count` micro-batches (gradient accumulation): the gradients of each,
// forward and backward in turn, combined into those of all their rows together (weighted by each
// batch's share of the loss's denominator), then clipping and AdamW once; the result is over them all.
// Equal to one sc_model_train_step on the rows of all the batches, within rounding, but holds the
// activations of one micro-batch at a time. In a process group the gradients are every rank's micro-
// batches together, and a rank with no rows for this step passes count 0.
// targets: one per batch.
SC_API sc_status sc_model_train_steps(sc_model* model, const sc_batch* batches, const sc_targets* targets, int32_t count,
                                      double learning_rate, sc_step_result* out_result);

// Forward and backward without an update: leaves the gradients for sc_model_export_gradients.
SC_API sc_status sc_model_compute_gradients(sc_model* model, const sc_batch* batch,
                                            const sc_targets* targets, double* out_loss);

// Inference (no dropout, nothing kept for a backward pass): writes batch_size (or the batch's document_count)
// x num_classes floats, the head's outputs (SC_OUTPUT_LOGITS) or what the task reads from them
// (SC_OUTPUT_PROBABILITIES: each row's softmax, each label's sigmoid, or the regression's score itself).
SC_API sc_status sc_model_predict(sc_model* model, const sc_batch* batch, int32_t output,
                                  float* out_values, int64_t out_capacity);

// Inference that also returns the attention pooling's weights: batch_size x max_length floats,
// row-major, each row summing to 1 over its valid steps and 0 on padding. Only for models pooled by
// SC_POOLING_ATTENTION. out_values as sc_model_predict's.
SC_API sc_status sc_model_predict_attention(sc_model* model, const sc_batch* batch, int32_t output, float* out_values,
                                            int64_t out_capacity, float* out_weights, int64_t weights_capacity);

// Parameters (or their gradients) as a tensor archive (sc_tensor_archive.h); free the buffer
// with sc_runtime_free_buffer.
SC_API sc_status sc_model_export_parameters(sc_model* model, uint8_t** out_buffer, int64_t* out_size);
SC_API sc_status sc_model_export_gradients(sc_model* model, uint8_t** out_buffer, int64_t* out_size);

// Replaces every parameter; names and shapes must match the model exactly.
SC_API sc_status sc_model_import_parameters(sc_model* model, const uint8_t* buffer, int64_t size);

#ifdef __cplusplus
}
#endif
