"""The two timed steps, family-agnostic: the paper's unlearning step and whole-model training."""

import copy

import torch
import torch.nn.functional as F

from families.common import CLIP_NORM, adamw, cat_inputs, draw_mask, noise_images

ALPHA = 0.25
"""settings.ts DEFAULT_UNLEARN.alpha: loss = L_R + α·L_F."""
UNLEARN_LR = 1e-3
PRETRAIN_LR = 2e-3
# Ours follows a warm-up/cosine schedule; the twins keep the peak rate (one scalar per step, no cost).


def latent_distance(student, target):
    """objective.ts latentDistance: mean squared difference per encoder output, summed over outputs."""
    return sum(F.mse_loss(s, t) for s, t in zip(student, target))


def update(optimizer, parameters, loss):
    """One clipped optimiser step on `loss`; returns its value (as our steps read their losses)."""
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(parameters, CLIP_NORM)
    optimizer.step()
    return loss.item()


def unlearn_step_fn(twin, task, shape, batch):
    """The paper's step (Eq. 10), as unlearner.ts + methods/paper.ts run it: half forget, half
    retain; the frozen teacher encodes [retain; forget target] in one no-grad pass, the student
    [forget; retain] in one pass; only the encoder is updated (AdamW, clipped); no decoder."""
    student = twin.encoder
    teacher = copy.deepcopy(student).requires_grad_(False)
    parameters = list(student.parameters())
    optimizer = adamw(parameters, UNLEARN_LR)
    nf = batch // 2
    nr = batch - nf

    def step():
        xf, xr = torch.rand((nf,) + shape), torch.rand((nr,) + shape)
        mf, mr = draw_mask(task, nf, shape[1], shape[2]), draw_mask(task, nr, shape[1], shape[2])
        # Each set is prepared once (masks, the family's own draws), for the student and the teacher alike.
        forget, retain = twin.prepare(xf, mf), twin.prepare(xr, mr)
        with torch.no_grad():
            noise = noise_images(torch.cat([xf, xr]), nf) if twin.uses_noise_images else None
            target = twin.forget_target_input(xf, mf, forget, noise)
            teacher_out = twin.encode(teacher, cat_inputs(retain, target))
        student_out = twin.encode(student, cat_inputs(forget, retain))
        retain_loss = latent_distance([s[nf:] for s in student_out], [t[:nr] for t in teacher_out])
        forget_loss = latent_distance([s[:nf] for s in student_out], [t[nr:] for t in teacher_out])
        return update(optimizer, parameters, retain_loss + ALPHA * forget_loss)

    return step


def pretrain_step_fn(twin, task, shape, batch):
    """pretrain.ts Pretrainer.step: the family's task loss over encoder and decoder (MAGE: the
    transformer; its tokenizer stays frozen), AdamW with β2 0.999 and no weight decay, clipped."""
    parameters = list(twin.encoder.parameters()) + list(twin.decoder.parameters())
    optimizer = adamw(parameters, PRETRAIN_LR, beta2=0.999, weight_decay=0.0)

    def step():
        x = torch.rand((batch,) + shape)
        return update(optimizer, parameters, twin.task_loss(twin.prepare(x, draw_mask(task, batch, shape[1], shape[2]))))

    return step
