// The model's C ABI (sc_model.h): checks what the caller passes, takes the model's lock, and calls
// the classifier (model/sc_classifier.h), the optimizer and, in a process group, the gradient
// reduction (distributed/sc_gradient_reduction.h).
#include "sc_model.h"

#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "sc_batch.h"
#include "sc_classifier.h"
#include "sc_distributed.h"
#include "sc_float_mode.h"
#include "sc_gradient_reduction.h"
#include "sc_memory.h"
#include "sc_optimizer.h"
#include "sc_process_group.h"
#include "sc_status.h"
#include "sc_tensor_archive.h"

// The opaque handle. Prediction takes a shared lock and training an exclusive one, so predictions
// may run concurrently, and a training step never overlaps them.
struct sc_model {
    sc_model_config config;
    std::vector<float> class_weights;  // owned copy; config.class_weights points at the caller's
    std::unique_ptr<sc::Classifier> classifier;
    std::unique_ptr<sc::FusedAdamW> optimizer;
    std::shared_ptr<sc::ProcessGroup> group;  // set: gradients are averaged across its ranks
    std::shared_mutex lock;
};

namespace {

sc_model& checked(sc_model* model) {
    if (!model) throw sc::InvalidArgument("model is null");
    return *model;
}

// Forward and backward in training mode, the gradients reduced across the group if the model is
// in one. A null batch (a rank with no rows this step; only in a group) contributes nothing.
sc::StepOutcome forward_backward(sc_model& model, const sc_batch* batch, const sc_targets* targets) {
    if (!batch && !model.group) throw sc::InvalidArgument("batch is null");
    // Checked before any collective starts: a rank that refused its batch mid-collective would leave
    // the others waiting.
    const auto inputs = batch ? sc::view_batch(batch, model.config) : sc::BatchView{};
    if (batch) sc::check_targets(targets, inputs.outputs(), model.config);
    auto& parameters = model.classifier->parameters();
    std::unique_ptr<sc::TouchedRows> touched;
    if (model.group && sc::trainable_embedding(parameters)) {
        touched = std::make_unique<sc::TouchedRows>(*model.group, model.config.vocabulary_size, inputs.ids, inputs.rows * inputs.max_length);
    }
    parameters.zero_grad();
    sc::StepOutcome outcome;
    if (batch) {
        const auto result = model.classifier->forward_backward(inputs, *targets, model.class_weights);
        outcome = sc::StepOutcome{result.loss, result.correct, inputs.outputs(), result.weight};
    }
    if (model.group) sc::reduce_gradients(*model.group, parameters, touched.get(), outcome);
    return outcome;
}

void check_learning_rate(double learning_rate) {
    if (!(learning_rate >= 0.0) || !std::isfinite(learning_rate)) {
        throw sc::InvalidArgument("learning_rate must be finite and >= 0, got " + std::to_string(learning_rate));
    }
}

// The optimiser's step on the gradients the parameters hold, and what is derived from the weights rebuilt.
void apply_step(sc_model& model, double learning_rate) {
    model.optimizer->step(learning_rate, model.config.gradient_clip_norm);
    model.classifier->parameters_changed();
}

std::string shape_text(const std::vector<int64_t>& sizes) {
    std::string text = "[";
    for (size_t i = 0; i < sizes.size(); ++i) text += (i ? ", " : "") + std::to_string(sizes[i]);
    return text + "]";
}

}  // namespace

extern "C" void sc_model_abi(int64_t* out_config_size, int64_t* out_batch_size, int64_t* out_step_result_size,
                             int64_t* out_targets_size, int32_t* out_version) {
    if (out_config_size) *out_config_size = static_cast<int64_t>(sizeof(sc_model_config));
    if (out_batch_size) *out_batch_size = static_cast<int64_t>(sizeof(sc_batch));
    if (out_step_result_size) *out_step_result_size = static_cast<int64_t>(sizeof(sc_step_result));
    if (out_targets_size) *out_targets_size = static_cast<int64_t>(sizeof(sc_targets));
    if (out_version) *out_version = SC_MODEL_ABI_VERSION;
}

extern "C" sc_status sc_model_create(const sc_model_config* config, sc_model** out_model) {
    if (out_model) *out_model = nullptr;
    return sc::guard([&] {
        if (!config) throw sc::InvalidArgument("config is null");
        if (!out_model) throw sc::InvalidArgument("out_model is null");
        // Checked before any other field is read: a caller built against another layout would
        // otherwise be read field by field at the wrong offsets.
        if (config->struct_size != sizeof(sc_model_config) || config->version != SC_MODEL_ABI_VERSION) {
            throw sc::InvalidArgument("sc_model_config of " + std::to_string(config->struct_size) + " bytes, version " +
                                      std::to_string(config->version) + "; this library expects " +
                                      std::to_string(sizeof(sc_model_config)) + " bytes, version " +
                                      std::to_string(SC_MODEL_ABI_VERSION) + " (managed and native builds differ)");
        }
        sc::keep_batch_memory();
        auto model = std::make_unique<sc_model>();
        model->config = *config;
        if (config->class_weights && config->task == SC_TASK_REGRESSION) {
            throw sc::InvalidArgument("class_weights weigh classes or labels: a regression has none");
        }
        if (config->class_weights) {
            model->class_weights.assign(config->class_weights, config->class_weights + config->num_classes);
            for (size_t i = 0; i < model->class_weights.size(); ++i) {
                if (!(model->class_weights[i] >= 0.0f) || !std::isfinite(model->class_weights[i])) {
                    throw sc::InvalidArgument("class weight " + std::to_string(i) + " must be finite and >= 0");
                }
            }
        }
        model->classifier = std::make_unique<sc::Classifier>(*config);
        // Neither caller pointer is kept beyond this call.
        model->config.class_weights = nullptr;
        model->config.pretrained_embeddings = nullptr;
        model->optimizer = std::make_unique<sc::FusedAdamW>(model->classifier->parameters(), config->adam_beta1, config->adam_beta2,
                                                            config->adam_epsilon, config->weight_decay,
                                                            config->decay_biases_and_norms != 0);
        *out_model = model.release();
    });
}

extern "C" void sc_model_dispose(sc_model* model) { delete model; }

extern "C" sc_status sc_model_config_read(sc_model* model, sc_model_config* out_config) {
    return sc::guard([&] {
        auto& m = checked(model);
        if (!out_config) throw sc::InvalidArgument("out_config is null");
        *out_config = m.config;  // its pointers were cleared at creation
    });
}

extern "C" sc_status sc_model_parameter_count(sc_model* model, int64_t* out_count) {
    if (out_count) *out_count = 0;
    return sc::guard([&] {
        auto& m = checked(model);
        if (!out_count) throw sc::InvalidArgument("out_count is null");
        std::shared_lock read(m.lock);
        *out_count = m.classifier->parameters().count();
    });
}

extern "C" sc_status sc_model_position_table(sc_model* model, float* out_values, int64_t out_capacity) {
    return sc::guard([&] {
        auto& m = checked(model);
        if (!out_values) throw sc::InvalidArgument("out_values is null");
        std::shared_lock read(m.lock);
        const float* table = m.classifier->position_table();
        if (!table) throw sc::InvalidArgument("an RNN has no position table");
        const int64_t cells = m.config.max_positions * m.config.hidden_size;
        if (out_capacity < cells) throw sc::InvalidArgument("out_values holds " + std::to_string(out_capacity) + " floats, " + std::to_string(cells) + " needed");
        std::memcpy(out_values, table, sizeof(float) * static_cast<size_t>(cells));
    });
}

extern "C" sc_status sc_model_train_step(sc_model* model, const sc_batch* batch, const sc_targets* targets,
                                         double learning_rate, sc_step_result* out_result) {
    if (out_result) *out_result = sc_step_result{0.0, 0, 0};
    return sc::guard([&] {
        sc::FlushDenormalsScope flush_denormals;
        auto& m = checked(model);
        if (!out_result) throw sc::InvalidArgument("out_result is null");
        check_learning_rate(learning_rate);
        std::unique_lock write(m.lock);
        const auto outcome = forward_backward(m, batch, targets);
        apply_step(m, learning_rate);
        *out_result = sc_step_result{outcome.loss, outcome.correct, outcome.rows};
    });
}

extern "C" sc_status sc_model_train_steps(sc_model* model, const sc_batch* batches, const sc_targets* targets, int32_t count,
                                          double learning_rate, sc_step_result* out_result) {
    if (out_result) *out_result = sc_step_result{0.0, 0, 0};
    return sc::guard([&] {
        sc::FlushDenormalsScope flush_denormals;
        auto& m = checked(model);
        if (!out_result) throw sc::InvalidArgument("out_result is null");
        // A rank of a process group with no rows this step passes none (count 0) and still takes part.
        if (count < (m.group ? 0 : 1)) throw sc::InvalidArgument("count must be at least " + std::string(m.group ? "0" : "1") + ", got " + std::to_string(count));
        if (count > 0 && (!batches || !targets)) throw sc::InvalidArgument("batches or targets is null");
        check_learning_rate(learning_rate);
        // Every batch checked before any work (and any collective): a refusal leaves the parameters as they were.
        std::vector<sc::BatchView> views;
        views.reserve(static_cast<size_t>(count));  // never moved: a view's ids may point into its own widened copy
        for (int32_t k = 0; k < count; ++k) {
            views.push_back(sc::view_batch(&batches[k], m.config));
            sc::check_targets(&targets[k], views.back().outputs(), m.config);
        }
        std::unique_lock write(m.lock);
        auto& parameters = m.classifier->parameters();
        // In a group, the embedding rows any micro-batch of any rank touches travel (as in a single step).
        std::unique_ptr<sc::TouchedRows> touched;
        if (m.group && sc::trainable_embedding(parameters)) {
            std::vector<int64_t> ids;
            for (const auto& view : views) {
                if (view.ids) ids.insert(ids.end(), view.ids, view.ids + view.rows * view.max_length);
            }
            touched = std::make_unique<sc::TouchedRows>(*m.group, m.config.vocabulary_size, ids.empty() ? nullptr : ids.data(),
                                                        static_cast<int64_t>(ids.size()));
        }
        // sum_k w_k g_k per trainable parameter; the step's gradient is that over sum_k w_k.
        std::vector<sc::Floats> sums;
        for (const auto& p : parameters.all()) sums.push_back(sc::Floats::zeros(p->grad.size()));
        double weight = 0.0, loss = 0.0;
        int64_t correct = 0, rows = 0;
        for (int32_t k = 0; k < count; ++k) {
            parameters.zero_grad();
            const auto result = m.classifier->forward_backward(views[k], targets[k], m.class_weights);
            const auto& all = parameters.all();
            for (size_t i = 0; i < all.size(); ++i) {
                const float w = static_cast<float>(result.weight);
                float* sum = sums[i].data();
                const float* grad = all[i]->grad.data();
                for (int64_t j = 0; j < sums[i].size(); ++j) sum[j] += w * grad[j];
            }
            weight += result.weight;
            loss += result.loss * result.weight;
            correct += result.correct;
            rows += views[k].outputs();
        }
        const auto& all = parameters.all();
        const float scale = weight > 0.0 ? static_cast<float>(1.0 / weight) : 0.0f;
        for (size_t i = 0; i < all.size(); ++i) {
            float* grad = all[i]->grad.data();
            const float* sum = sums[i].data();
            for (int64_t j = 0; j < sums[i].size(); ++j) grad[j] = sum[j] * scale;
        }
        // This rank's mean over its rows; in a group, every rank's together (weighted as one batch).
        sc::StepOutcome outcome{weight > 0.0 ? loss / weight : 0.0, correct, rows, weight};
        if (m.group) sc::reduce_gradients(*m.group, parameters, touched.get(), outcome);
        apply_step(m, learning_rate);
        *out_result = sc_step_result{outcome.loss, outcome.correct, outcome.rows};
    });
}

extern "C" sc_status sc_model_compute_gradients(sc_model* model, const sc_batch* batch, const sc_targets* targets,
                                                double* out_loss) {
    if (out_loss) *out_loss = 0.0;
    return sc::guard([&] {
        sc::FlushDenormalsScope flush_denormals;
        auto& m = checked(model);
        if (!out_loss) throw sc::InvalidArgument("out_loss is null");
        std::unique_lock write(m.lock);
        *out_loss = forward_backward(m, batch, targets).loss;
    });
}

namespace {
// Both predictions: logits or probabilities into out_values, and, when out_weights is given, the
// attention pooling's weights, padded with zeros to the batch's max_length.
sc_status predict(sc_model* model, const sc_batch* batch, int32_t output, float* out_values, int64_t out_capacity,
                  float* out_weights, int64_t weights_capacity) {
    return sc::guard([&] {
        sc::FlushDenormalsScope flush_denormals;
        auto& m = checked(model);
        if (output != SC_OUTPUT_LOGITS && output != SC_OUTPUT_PROBABILITIES) {
            throw sc::InvalidArgument("output must be 0 (logits) or 1 (probabilities), got " + std::to_string(output));
        }
        if (!out_values) throw sc::InvalidArgument("out_values is null");
        const auto inputs = sc::view_batch(batch, m.config);
        const int64_t B = inputs.outputs(), C = m.config.num_classes;
        if (out_capacity < B * C) {
            throw sc::InvalidArgument("out_values holds " + std::to_string(out_capacity) + " floats, " + std::to_string(B * C) + " needed");
        }
        if (out_weights) {
            if (m.config.pooling != SC_POOLING_ATTENTION) {
                throw sc::InvalidArgument("this model pools by " + std::string(m.config.pooling == SC_POOLING_LAST ? "last state" : m.config.pooling == SC_POOLING_CLS_POOLER ? "BERT's pooler" : "mean, max or first position") +
                                          ", not attention: it has no attention weights");
            }
            const int64_t cells = batch->batch_size * batch->max_length;  // a row's weights, windows included
            if (weights_capacity < cells) {
                throw sc::InvalidArgument("out_weights holds " + std::to_string(weights_capacity) + " floats, " +
                                          std::to_string(cells) + " needed");
            }
        }
        std::shared_lock read(m.lock);
        sc::Floats weights;
        sc::Floats logits = m.classifier->predict(inputs, out_weights ? &weights : nullptr);  // [B, C]: documents, or rows
        if (output == SC_OUTPUT_PROBABILITIES) m.classifier->to_probabilities(logits.data(), B);
        std::memcpy(out_values, logits.data(), sizeof(float) * static_cast<size_t>(B * C));
        if (out_weights) {
            // [B, T'] into [B, max_length], zeros beyond T'.
            const int64_t rows = batch->batch_size, steps = weights.size() / rows;
            for (int64_t b = 0; b < rows; ++b) {
                for (int64_t t = 0; t < batch->max_length; ++t) out_weights[b * batch->max_length + t] = t < steps ? weights[b * steps + t] : 0.0f;
            }
        }
    });
}
}  // namespace

extern "C" sc_status sc_model_predict(sc_model* model, const sc_batch* batch, int32_t output, float* out_values,
                                      int64_t out_capacity) {
    return predict(model, batch, output, out_values, out_capacity, nullptr, 0);
}

extern "C" sc_status sc_model_predict_attention(sc_model* model, const sc_batch* batch, int32_t output, float* out_values,
                                                int64_t out_capacity, float* out_weights, int64_t weights_capacity) {
    if (!out_weights) return sc::guard([] { throw sc::InvalidArgument("out_weights is null"); });
    return predict(model, batch, output, out_values, out_capacity, out_weights, weights_capacity);
}

namespace {
// Both exports: the parameters, or their gradients, as a tensor archive in a malloc'd buffer.
sc_status export_archive(sc_model* model, bool gradients, uint8_t** out_buffer, int64_t* out_size) {
    if (out_buffer) *out_buffer = nullptr;
    if (out_size) *out_size = 0;
    return sc::guard([&] {
        auto& m = checked(model);
        if (!out_buffer || !out_size) throw sc::InvalidArgument("out_buffer or out_size is null");
        std::shared_lock read(m.lock);
        std::vector<sc::Floats> zeros;  // a frozen parameter has no gradient: export zeros, so every name is present
        std::vector<sc::ArchiveEntry> entries;
        for (const auto& p : m.classifier->parameters().all()) {
            const float* values = p->data();
            if (gradients) {
                if (p->trainable) {
                    values = p->grad.data();
                } else {
                    zeros.push_back(sc::Floats::zeros(p->numel()));
                    values = zeros.back().data();
                }
            }
            entries.push_back({p->name, sc::kArchiveFloat32, p->shape, reinterpret_cast<const uint8_t*>(values)});
        }
        sc::hand_out_buffer(sc::write_tensor_archive(entries), out_buffer, out_size);
    });
}
}  // namespace

extern "C" sc_status sc_model_export_parameters(sc_model* model, uint8_t** out_buffer, int64_t* out_size) {
    return export_archive(model, /*gradients=*/false, out_buffer, out_size);
}

extern "C" sc_status sc_model_export_gradients(sc_model* model, uint8_t** out_buffer, int64_t* out_size) {
    return export_archive(model, /*gradients=*/true, out_buffer, out_size);
}

extern "C" sc_status sc_model_import_parameters(sc_model* model, const uint8_t* buffer, int64_t size) {
    return sc::guard([&] {
        auto& m = checked(model);
        if (size < 0) throw sc::InvalidArgument("size must be >= 0");
        const auto incoming = sc::read_tensor_archive(buffer, static_cast<size_t>(size));
        std::unique_lock write(m.lock);
        auto& parameters = m.classifier->parameters();
        // Check everything before changing anything, so a refused import leaves the model intact.
        std::unordered_map<std::string, const sc::ArchiveEntry*> by_name;
        for (const auto& entry : incoming) {
            const sc::Parameter* target = parameters.find(entry.name);
            if (!target) throw sc::FormatError("parameter '" + entry.name + "' is in the buffer but not in the model");
            if (entry.dtype != sc::kArchiveFloat32 || entry.shape != target->shape) {
                throw sc::FormatError("parameter '" + entry.name + "' has shape " + shape_text(entry.shape) + " in the buffer but " +
                                      shape_text(target->shape) + " in the model");
            }
            // A NaN or Inf weight makes every prediction NaN: refuse it here, where the name is known.
            for (int64_t i = 0; i < entry.numel(); ++i) {
                float value;
                std::memcpy(&value, entry.data + 4 * i, 4);
                if (!std::isfinite(value)) {
                    throw sc::FormatError("parameter '" + entry.name + "' holds a value that is not finite (" +
                                          (std::isnan(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf") + " at flat index " + std::to_string(i) + ")");
                }
            }
            by_name[entry.name] = &entry;
        }
        for (const auto& p : parameters.all()) {
            if (!by_name.count(p->name)) throw sc::FormatError("parameter '" + p->name + "' of the model is missing from the buffer");
        }
        for (const auto& p : parameters.all()) std::memcpy(p->data(), by_name[p->name]->data, sizeof(float) * static_cast<size_t>(p->numel()));
        m.classifier->parameters_changed();
    });
}

extern "C" sc_status sc_model_join_process_group(sc_model* model, sc_process_group* group) {
    return sc::guard([&] {
        auto& m = checked(model);
        auto joined = sc::process_group_of(group);
        std::unique_lock write(m.lock);
        // Rank 0's parameters to every rank, as one flat buffer (one collective, not one per tensor).
        auto& parameters = m.classifier->parameters();
        std::vector<float> flat;
        flat.reserve(static_cast<size_t>(parameters.count()));
        for (const auto& p : parameters.all()) flat.insert(flat.end(), p->data(), p->data() + p->numel());
        joined->broadcast(flat.data(), static_cast<int64_t>(flat.size()));
        size_t at = 0;
        for (const auto& p : parameters.all()) {
            std::memcpy(p->data(), flat.data() + at, sizeof(float) * static_cast<size_t>(p->numel()));
            at += static_cast<size_t>(p->numel());
        }
        m.classifier->parameters_changed();
        m.group = std::move(joined);
    });
}

extern "C" sc_status sc_model_replicas_identical(sc_model* model, int32_t* out_identical) {
    if (out_identical) *out_identical = 0;
    return sc::guard([&] {
        auto& m = checked(model);
        if (!out_identical) throw sc::InvalidArgument("out_identical is null");
        if (!m.group) throw sc::InvalidState("the model has not joined a process group");
        std::shared_lock read(m.lock);
        // Position-weighted, so that swapped values change it too.
        double checksum = 0.0;
        for (const auto& p : m.classifier->parameters().all()) {
            for (int64_t i = 0; i < p->numel(); ++i) checksum += static_cast<double>(p->value[i]) * static_cast<double>((i + 1) % 97 + 1);
        }
        double low = checksum, high = checksum;
        m.group->all_reduce(&low, 1, sc::ReduceType::Float64, sc::ReduceOp::Min);
        m.group->all_reduce(&high, 1, sc::ReduceType::Float64, sc::ReduceOp::Max);
        *out_identical = low == high ? 1 : 0;
    });
}
