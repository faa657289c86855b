// The sequence classifier: create, train one batch, predict one batch, export and import weights.
// One native call per batch: the managed side never drives individual tensor operations.
#pragma once
#include "sc_export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sc_model sc_model;

typedef enum sc_cell { SC_CELL_RNN_TANH = 0, SC_CELL_RNN_RELU = 1, SC_CELL_GRU = 2, SC_CELL_LSTM = 3 } sc_cell;

// Gates per hidden unit: a cell's weights have gates x hidden rows. (static: each file that includes
// this, the per-instruction-set kernel files among them, gets its own copy.)
static inline int64_t sc_cell_gates(int32_t cell) { return cell == SC_CELL_GRU ? 3 : cell == SC_CELL_LSTM ? 4 : 1; }

// How the RNN's outputs become one vector per sequence.
typedef enum sc_pooling {
    SC_POOLING_LAST = 0,  // final hidden state of the last layer (both directions concatenated)
    SC_POOLING_MEAN = 1,  // mean of the outputs over the valid steps
    SC_POOLING_MAX = 2    // element-wise max of the outputs over the valid steps
} sc_pooling;

// Field order matters: SeqClassify.Torch/Interop/NativeStructs.cs mirrors it.
typedef struct sc_model_config {
    int64_t vocab_size;        // > 0: token-id input through an embedding; 0: float feature input
    int64_t input_size;        // embedding dimension, or features per step when vocab_size == 0
    int64_t hidden_size;       // per direction
    int64_t num_layers;
    int64_t head_hidden_size;  // 0: a linear head; > 0: linear -> ReLU -> dropout -> linear
    int64_t num_classes;
    const float* pretrained_embeddings;  // vocab_size x input_size row-major, or null
    const float* class_weights;          // num_classes cross-entropy weights, or null
    uint64_t seed;                       // initialisation and dropout
    int32_t cell;                        // sc_cell
    int32_t pooling;                     // sc_pooling
    int32_t bidirectional;               // 0 or 1
    int32_t freeze_embeddings;           // 0 or 1; only with pretrained_embeddings
    float embedding_dropout;
    float rnn_dropout;                   // between stacked layers
    float dropout;                       // before the head
    float label_smoothing;
    float adam_beta1;
    float adam_beta2;
    float adam_eps;
    float weight_decay;                  // AdamW's decoupled weight decay
    float clip_norm;                     // gradient-norm clipping; 0 = off
    int32_t libtorch_rnn;                // 1: libtorch's own RNN modules (step by step through autograd);
                                         // 0: the fused layer of sc_fused_rnn.h (same numbers, faster)
    int32_t reserved;
} sc_model_config;

// A padded batch. Row i holds lengths[i] valid steps; the rest of the row is padding.
// Exactly one of token_ids and features is set.
typedef struct sc_batch {
    const void* token_ids;   // batch_size x max_length ids (padding id 0), int64 or int32
    const float* features;   // batch_size x max_length x feature_size
    const int64_t* lengths;  // batch_size, each in [1, max_length]; need not be sorted
    int64_t batch_size;
    int64_t max_length;
    int64_t feature_size;    // floats per step of features (libtorch checks it against input_size)
    int32_t id_bits;         // 64 or 32: the width of token_ids
    int32_t reserved;
} sc_batch;

typedef struct sc_step_result {
    double loss;      // mean cross-entropy of the batch, before the update
    int64_t correct;  // rows whose arg-max matched the label, before the update
} sc_step_result;

typedef enum sc_output { SC_OUTPUT_LOGITS = 0, SC_OUTPUT_PROBABILITIES = 1 } sc_output;

SC_API sc_status sc_model_create(const sc_model_config* config, sc_model** out_model);
SC_API void sc_model_dispose(sc_model* model);

SC_API sc_status sc_model_parameter_count(sc_model* model, int64_t* out_count);

// One optimisation step: forward, cross-entropy, backward, clipping, AdamW with this learning rate.
SC_API sc_status sc_model_train_step(sc_model* model, const sc_batch* batch, const int64_t* labels,
                                     double learning_rate, sc_step_result* out_result);

// Forward and backward without an update: leaves the gradients for sc_model_export_gradients.
SC_API sc_status sc_model_compute_gradients(sc_model* model, const sc_batch* batch,
                                            const int64_t* labels, double* out_loss);

// Inference (no dropout, no autograd state): writes batch_size x num_classes floats.
SC_API sc_status sc_model_predict(sc_model* model, const sc_batch* batch, int32_t output,
                                  float* out_values, int64_t out_capacity);

// Parameters (or their gradients) as a tensor archive (sc_tensor_archive.h); free the buffer
// with sc_runtime_free_buffer.
SC_API sc_status sc_model_export_parameters(sc_model* model, uint8_t** out_buffer, int64_t* out_size);
SC_API sc_status sc_model_export_gradients(sc_model* model, uint8_t** out_buffer, int64_t* out_size);

// Replaces every parameter; names and shapes must match the model exactly.
SC_API sc_status sc_model_import_parameters(sc_model* model, const uint8_t* buffer, int64_t size);

#ifdef __cplusplus
}
#endif
