// The engine's model types, as plain C so that the C ABI (abi/sc_model.h) passes them unchanged: the
// model's options (sc_model_config), a padded batch (sc_batch), a step's result, and the enums of the
// options' values. Each is made from one list (an X-macro), from which the ABI also publishes its
// layout and value tables: the managed side checks itself against those at load, never against a copy.
// Defined here, below the ABI, so that the model code names them without including the ABI.
#pragma once
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Each enum below is one list of X(NAME, value): the typedef and the table the library publishes
// (sc_model_enum_value) are both made from it, and the managed side checks its own enums against that
// table when it loads the library (a C# member Gru is SC_CELL_GRU, ClsPooler SC_POOLING_CLS_POOLER).
#define SC_ENUM_MEMBER(name, value) name = value,

// What turns the embedded steps into per-step outputs.
#define SC_ENCODER_VALUES(X) X(SC_ENCODER_RNN, 0) X(SC_ENCODER_TRANSFORMER, 1)
typedef enum sc_encoder { SC_ENCODER_VALUES(SC_ENUM_MEMBER) } sc_encoder;

// The recurrent cell (SC_CELL_RNN: tanh, as nn.RNN's default).
#define SC_CELL_VALUES(X) X(SC_CELL_RNN, 0) X(SC_CELL_RNN_RELU, 1) X(SC_CELL_GRU, 2) X(SC_CELL_LSTM, 3)
typedef enum sc_cell { SC_CELL_VALUES(SC_ENUM_MEMBER) } sc_cell;

// The Transformer's position signal, added to the (scaled) embedded steps.
#define SC_POSITIONAL_VALUES(X) X(SC_POSITIONAL_SINUSOIDAL, 0) X(SC_POSITIONAL_LEARNED, 1)
typedef enum sc_positional { SC_POSITIONAL_VALUES(SC_ENUM_MEMBER) } sc_positional;

// The Transformer's feed-forward activation.
#define SC_ACTIVATION_VALUES(X) X(SC_ACTIVATION_RELU, 0) X(SC_ACTIVATION_GELU, 1)
typedef enum sc_activation { SC_ACTIVATION_VALUES(SC_ENUM_MEMBER) } sc_activation;

// How the encoder's outputs become one vector per sequence:
//   LAST       RNN only: final hidden state of the last layer (both directions concatenated)
//   MEAN, MAX  mean or element-wise max of the outputs over the valid steps
//   FIRST      the output at the first position (a Transformer's "[CLS]"-style summary)
//   ATTENTION  learned additive attention over the valid steps (sc_pooling.h)
//   CLS_POOLER Transformer: BERT's pooler, tanh(W x + b) of the first position (sc_pooler.h)
#define SC_POOLING_VALUES(X) \
    X(SC_POOLING_LAST, 0) X(SC_POOLING_MEAN, 1) X(SC_POOLING_MAX, 2) X(SC_POOLING_FIRST, 3) X(SC_POOLING_ATTENTION, 4) X(SC_POOLING_CLS_POOLER, 5)
typedef enum sc_pooling { SC_POOLING_VALUES(SC_ENUM_MEMBER) } sc_pooling;

// What the head's outputs mean and what trains them (Hugging Face's problem_type):
//   SINGLE_LABEL  one of num_classes classes: softmax; cross-entropy (class_weights, label_smoothing)
//   MULTI_LABEL   any subset of num_classes labels: a sigmoid each; binary cross-entropy averaged over
//                 rows and labels (class_weights: each label's positive weight, BCEWithLogitsLoss's pos_weight)
//   REGRESSION    one score (num_classes 1): identity; mean squared error, or Huber (huber_delta > 0)
#define SC_TASK_VALUES(X) X(SC_TASK_SINGLE_LABEL, 0) X(SC_TASK_MULTI_LABEL, 1) X(SC_TASK_REGRESSION, 2)
typedef enum sc_task { SC_TASK_VALUES(SC_ENUM_MEMBER) } sc_task;

// How the head's outputs of a document's rows (the windows of a long text, sc_batch.documents) become the
// document's: their mean, or their element-wise maximum.
#define SC_WINDOW_POOLING_VALUES(X) X(SC_WINDOW_POOLING_MEAN, 0) X(SC_WINDOW_POOLING_MAX, 1)
typedef enum sc_window_pooling { SC_WINDOW_POOLING_VALUES(SC_ENUM_MEMBER) } sc_window_pooling;

// The C ABI's version of the structs below (sc_model_abi publishes it); bump it with any change to their fields.
#define SC_MODEL_ABI_VERSION 10

// The model's options: the one list of sc_model_config's fields, in order, each X(type, name).
// The struct below, its layout table (sc_model_config_field) and the check that it has no padding
// are all made from it. The managed side has no copy of this layout: it reads the table and writes
// each field by name from SequenceModelOptions' property of the same name (hidden_size ->
// HiddenSize), refusing a field or a property that has no partner. A new option is a line here, its
// use in the engine, and its property in SequenceModelOptions. 8-byte fields first, then 4-byte ones,
// so that no field is preceded by padding.
#define SC_MODEL_CONFIG_FIELDS(X)                                                                   \
    X(int64_t, vocabulary_size)        /* > 0: token ids through an embedding; 0: float features */ \
    X(int64_t, input_size)             /* embedding dimension, or features per step */            \
    X(int64_t, hidden_size)            /* RNN: per direction; Transformer: the model width */     \
    X(int64_t, num_layers)             /* stacked RNN or Transformer encoder layers */            \
    X(int64_t, head_hidden_size)       /* 0: a linear head; > 0: linear, ReLU, dropout, linear */ \
    X(int64_t, num_classes)            /* the head's outputs: classes, labels, or 1 score (sc_task) */ \
    X(const float*, pretrained_embeddings) /* vocabulary_size x input_size row-major, or null */  \
    X(const float*, class_weights)     /* num_classes cross-entropy weights, or null */          \
    X(uint64_t, seed)                  /* initialisation and dropout */                           \
    X(int64_t, heads)                  /* Transformer: attention heads; divides hidden_size */    \
    X(int64_t, feed_forward_size)      /* Transformer: inner width of the feed-forward block */  \
    X(int64_t, max_positions)          /* Transformer: longest sequence (longer: refused) */     \
    X(double, layer_norm_epsilon)      /* Transformer: every LayerNorm's eps (PyTorch 1e-5, BERT 1e-12) */ \
    X(int64_t, segment_separator_id)   /* Transformer with token_types: > 0, a batch without token types gets type 0 up to and including a row's first id of this value ([SEP]), 1 after it, as BERT's sentence pairs; 0: type 0 throughout */ \
    X(uint32_t, struct_size)           /* sizeof(sc_model_config) */                             \
    X(uint32_t, version)               /* SC_MODEL_ABI_VERSION */                                 \
    X(int32_t, encoder)                /* sc_encoder */                                           \
    X(int32_t, cell)                   /* sc_cell */                                              \
    X(int32_t, pooling)                /* sc_pooling */                                           \
    X(int32_t, bidirectional)          /* 0 or 1 */                                               \
    X(int32_t, freeze_embeddings)      /* 0 or 1: the embedding is not trained (token input) */   \
    X(int32_t, positional_encoding)    /* Transformer: sc_positional */                           \
    X(int32_t, activation)             /* Transformer: sc_activation */                           \
    X(int32_t, norm_first)             /* Transformer: 0 post-norm (PyTorch's default), 1 pre-norm with a final LayerNorm */ \
    X(int32_t, scale_embedding)        /* Transformer: 1 multiplies embedded tokens by sqrt(input_size) (PyTorch's tutorial), 0 not (BERT) */ \
    X(int32_t, embedding_norm)         /* Transformer: 1 adds a LayerNorm after the positions, before dropout (BERT's embeddings) */ \
    X(int32_t, feed_forward_inner_dropout) /* Transformer: 1 drops out after the feed-forward activation too (nn.TransformerEncoderLayer), 0 not (BERT) */ \
    X(int32_t, token_types)            /* Transformer, token input: rows of a token-type (segment) embedding added with the positions, as BERT's; 0: none */ \
    X(int32_t, decay_biases_and_norms) /* 1: weight decay on every parameter (torch.optim.AdamW(model.parameters())); 0: none on rank-1 parameters, the biases and LayerNorm weights (Hugging Face's Trainer) */ \
    X(int32_t, task)                   /* sc_task */                                              \
    X(int32_t, window_pooling)         /* sc_window_pooling: a document's rows' outputs pooled (sc_batch.documents) */ \
    X(float, embedding_dropout)                                                                    \
    X(float, rnn_dropout)              /* between stacked layers */                               \
    X(float, dropout)                  /* before the head */                                      \
    X(float, transformer_dropout)      /* inside each layer, as nn.TransformerEncoderLayer's */  \
    X(float, label_smoothing)                                                                      \
    X(float, adam_beta1)                                                                           \
    X(float, adam_beta2)                                                                           \
    X(float, adam_epsilon)                                                                         \
    X(float, weight_decay)             /* AdamW's decoupled weight decay */                       \
    X(float, gradient_clip_norm)       /* 0 = no clipping */                                      \
    X(float, huber_delta)              /* SC_TASK_REGRESSION: 0 mean squared error; > 0 Huber loss with this delta (nn.HuberLoss) */

// Transformer (sc_transformer.h): token input is embedded with input_size dimensions, scaled by
// sqrt(input_size) (scale_embedding) and, when input_size != hidden_size, projected to hidden_size; feature
// input is always projected. Positions are added, and (token_types) the rows "token_type.weight" of the
// batch's segment ids, then (embedding_norm) a LayerNorm "embedding_norm".
// sc_model_create refuses a struct_size or version other than its own.
typedef struct sc_model_config {
#define SC_CONFIG_MEMBER(type, name) type name;
    SC_MODEL_CONFIG_FIELDS(SC_CONFIG_MEMBER)
#undef SC_CONFIG_MEMBER
} sc_model_config;

// A padded batch. Row i holds lengths[i] valid steps; the rest of the row is padding.
// Exactly one of token_ids and features is set.
typedef struct sc_batch {
    const void* token_ids;   // batch_size x max_length ids (padding id 0), int64 or int32
    const float* features;   // batch_size x max_length x feature_size
    const int64_t* lengths;  // batch_size, each in [1, max_length]; need not be sorted
    const void* token_type_ids;  // batch_size x max_length segment ids in [0, token_types), the width of token_ids; null: all 0
    int64_t batch_size;
    int64_t max_length;
    int64_t feature_size;    // floats per step of features; must equal the model's input_size
    int32_t id_bits;         // 64 or 32: the width of token_ids
    int32_t reserved;
    // Rows that are windows of longer documents: documents[row] in [0, document_count), each document with at
    // least one row; the head's outputs of a document's rows are pooled (sc_model_config.window_pooling) into the
    // document's, which the loss, the targets (one per document) and the predictions are then of.
    // document_count 0 (documents null): every row is its own document.
    const int64_t* documents;
    int64_t document_count;
} sc_batch;

// What a batch is trained towards, by the model's task: labels for SC_TASK_SINGLE_LABEL, values for the others.
typedef struct sc_targets {
    const int64_t* labels;  // batch_size class indices in [0, num_classes)
    const float* values;    // MULTI_LABEL: batch_size x num_classes, each in [0, 1] (1: the label applies); REGRESSION: batch_size scores
} sc_targets;

typedef struct sc_step_result {
    double loss;      // the task's mean loss over the rows, before the update
    int64_t correct;  // rows predicted right before the update: the arg-max is the label, or (multi-label) every label's decision at 0.5; regression: 0
    int64_t rows;     // the batch's rows; in a process group, every rank's rows of this step together
} sc_step_result;

#define SC_OUTPUT_VALUES(X) X(SC_OUTPUT_LOGITS, 0) X(SC_OUTPUT_PROBABILITIES, 1)
typedef enum sc_output { SC_OUTPUT_VALUES(SC_ENUM_MEMBER) } sc_output;

#ifdef __cplusplus
}
#endif
