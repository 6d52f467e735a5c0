"""Writes sklearn_stack.json: a stacking fixture for TestEnsembleStackMatchesScikitLearn.

Three members' probabilities on n = 300 validation examples (member 2 includes exact 0s and 1s, to
exercise the clipping), labels drawn from a logistic model of the members' logits, and the weights and
intercept of scikit-learn's LogisticRegression fitted on the clipped logits with the penalty of
models.Ensemble.Fit: (λ/2)‖w‖² with λ = 1e-4·n, which is C = 1/λ, intercept unpenalised.

Run from the repository root with Debian's python3-sklearn:

    /usr/bin/python3 models/testdata/sklearn_stack.py
"""
import json
import os

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

CLIP = 1e-7  # models.ensembleClip
L2 = 1e-4    # models.stackL2: λ = L2·n

rng = np.random.RandomState(20240607)
n = 300
z = rng.normal(size=(3, n)) * np.array([[1.0], [2.0], [0.5]])
probs = 1 / (1 + np.exp(-z))
probs[1, :10] = 0.0
probs[1, 10:20] = 1.0
x = np.clip(probs, CLIP, 1 - CLIP)
x = np.log(x / (1 - x)).T  # (n, 3) clipped member logits
true_w, true_b = np.array([1.2, 0.4, -0.7]), -0.3
labels = (rng.uniform(size=n) < 1 / (1 + np.exp(-(x @ true_w + true_b)))).astype(float)

lam = L2 * n
fit = LogisticRegression(C=1 / lam, solver="newton-cg", tol=1e-12, max_iter=10000).fit(x, labels)

out = {
    "source": f"scikit-learn {sklearn.__version__} LogisticRegression(C=1/(1e-4*n), solver='newton-cg', tol=1e-12)",
    "probs": probs.tolist(),
    "labels": labels.tolist(),
    "weights": fit.coef_[0].tolist(),
    "bias": float(fit.intercept_[0]),
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sklearn_stack.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(path, out["weights"], out["bias"])
