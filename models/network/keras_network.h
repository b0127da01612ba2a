#pragma once

#include "models/keras/keras_model.h"
#include "models/network/network.h"

namespace cimsim {

// The network of a Keras Sequential model (Conv2D valid, MaxPooling2D, Flatten, Dense) with
// input H x W x C. ModelError-like DataError for layers it cannot execute.
[[nodiscard]] Network network_from_keras(const KerasModel& model, const std::string& name,
                                         const TensorShape& input);

}  // namespace cimsim
