"""FastVID goldens (DySeg + STPrune + density-based token merging), from the reference's own code paths.

Reference: github LunarShen/FastVID (commit a40a109). FastVID has no importable selection function: DySeg,
STPrune and the merging run inline in the models' forward(), and importing those modules needs the reference's
forks (flash_attn, its LLaVA-NeXT tree, lmms-eval's eval_logger). So the two inline branches are transcribed
below line for line, only the glue replaced (inputs passed in instead of read from the prompt; the prompt's text
tokens dropped, so indices are within the video):

  qwen2_5_vl_reference   fastvid_qwen25vl/lmms-eval/lmms_eval/models/qwenvlutils/modeling_qwen2_5_vl.py,
                         Qwen2_5_VLForConditionalGeneration.forward, the `if seq_length > 1:` branch (L1891-2097);
                         frame_global_features as in L1859 (the mean of each temporal patch's merged tokens);
                         the saliency as Qwen2_5_VLVisionFlashAttention2.forward L190-203 + the reorder of
                         Qwen2_5_VisionTransformerPretrainedModel.forward L590-594 (qwen_saliency below).
  llava_onevision_reference  fastvid_llavaonevision/LLaVA-NeXT/llava/model/language_model/modeling_qwen2.py,
                         Qwen2Model.forward L900-1066 (a "parallel" variant: equal salient counts per frame,
                         context tokens on every p-th frame from a segment's end merging the whole segment).
  llava_video_reference  fastvid_llavavideo/LLaVA-NeXT/llava/model/language_model/modeling_qwen2.py,
                         Qwen2Model.forward, the `if seq_length > 1: ### FastVID` branch (L893-1063). Glue: the
                         reference hard-codes 64 frames of 13x13 pooled tokens with a newline after every row (14);
                         here the grid (h, w) and the frame count are arguments (14 -> w + 1).

torch.rand in the density step (tie-break noise 1e-6) draws from the global generator: each case seeds it with
torch.manual_seed(SEED) first, and ours draws the same numbers from a CPU generator seeded the same.

Cases: planted segments (synthetic frames whose global features cluster in planted runs, cut by both the c-1
lowest similarities and tau), single-frame segments, Qwen's `ignore` sub-segments, and the tiny fixtures'
captured video embeddings (tests/data/golden/qwen2_5_vl_tiny: vision_embeds, with the saliency of the
reference's last-block attention computed from the fixture's weights; tests/data/golden/llava_video_tiny:
video_tokens_average_grid, with a synthetic saliency and global features -- the reference's LLaVA-Video saliency
comes from a separately loaded SigLIP attention-pooling head the tiny fixture does not have).

The case llava_tiny_head takes the reference's LLaVA-Video signals instead: a tiny SigLIP release written by
transformers (tests/data/golden/siglip_tiny_release, SiglipModel.save_pretrained as the hub's so400m folder) and
its post_layernorm + attention-pooling head on the fixture's vision_features (llava_head_signals).

Written: tests/data/reduction/fastvid_golden.safetensors, per case `<case>.frames` [F, T(+newlines), D],
`<case>.saliency` [F, T], `<case>.global` [F, G], `<case>.params` (float64: variant, retention, c, tau, ignore,
d, p, beta, seed, grid_w), `<case>.segments`, `<case>.kept` (indices within the video) and `<case>.tokens`.

Usage: .venv/bin/python scripts/golden/make_fastvid_golden.py
"""
import math
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

ROOT = Path(__file__).resolve().parents[2]
QWEN, LLAVA, ONEVISION = 0, 1, 2


class Params:
    def __init__(self, variant, retention, c, tau, ignore, d, p, beta, seed=0, grid_w=0):
        self.variant, self.retention, self.c, self.tau, self.ignore = variant, retention, c, tau, ignore
        self.d, self.p, self.beta, self.seed, self.grid_w = d, p, beta, seed, grid_w

    def tensor(self):
        return torch.tensor([self.variant, self.retention, self.c, self.tau, self.ignore, self.d, self.p,
                             self.beta, self.seed, self.grid_w], dtype=torch.float64)


def dyseg_sizes(similarity_matrix, c, tau, frame_num):
    # Both references, verbatim (qwen L1902-1910, llava L911-921).
    cut_indices = torch.topk(similarity_matrix, c - 1, largest=False).indices
    cos_indices = torch.nonzero(similarity_matrix < tau).squeeze(1)
    cut_indices = torch.unique(torch.cat([cut_indices, cos_indices]))
    cut_indices = cut_indices.sort().values
    segment_sizes = [cut_indices[0].item() + 1]
    for i in range(1, cut_indices.shape[0]):
        segment_sizes.append(cut_indices[i].item() - cut_indices[i - 1].item())
    segment_sizes.append(frame_num - cut_indices[-1].item() - 1)
    return segment_sizes


def density_peaks(cur_hidden_states, frame_i, frm_top_indexes, frm_len, k_context, device_type):
    # Both references, verbatim (qwen L1982-2013, llava L979-1006): the context tokens of one frame.
    frm_all_indexs = torch.arange(frm_len, device=device_type)
    if frm_top_indexes is not None:
        tmp_mask = torch.isin(frm_all_indexs, frm_top_indexes)
        remaining_indexs = frm_all_indexs[~tmp_mask]
    else:
        remaining_indexs = frm_all_indexs
    tmp_frm_hidden_states = cur_hidden_states[frame_i]
    tmp_frm_hidden_states = tmp_frm_hidden_states[remaining_indexs].unsqueeze(0)
    _, tmp_N, tmp_D = tmp_frm_hidden_states.shape
    dist_matrix = torch.cdist(tmp_frm_hidden_states.float(), tmp_frm_hidden_states.float()) / (tmp_D ** 0.5)
    dist_nearest, index_nearest = torch.topk(dist_matrix, k=4, dim=-1, largest=False)
    density = (-(dist_nearest ** 2).mean(dim=-1)).exp()
    density = density + torch.rand(density.shape, device=device_type, dtype=density.dtype) * 1e-6
    mask = density[:, None, :] > density[:, :, None]
    mask = mask.type(tmp_frm_hidden_states.dtype)
    dist_max = dist_matrix.flatten(1).max(dim=-1)[0][:, None, None]
    dist, index_parent = (dist_matrix * mask + dist_max * (1 - mask)).min(dim=-1)
    score = dist * density
    _, sampled_indexs = torch.topk(score, k=k_context, dim=-1)
    sampled_indexs = sampled_indexs[0].sort().values
    return remaining_indexs[sampled_indexs]


def merge_segment(cur_hidden_states, cur_seg_len, frm_len, cur_salient_indexs_list, cur_context_indexs, beta,
                  device_type):
    # Both references, verbatim (qwen L2023-2086, llava L1016-1056): context merging and the segment's output.
    cur_tome_hidden_states = cur_hidden_states.reshape(cur_seg_len * frm_len, -1)
    cur_salient_indexs = torch.cat(cur_salient_indexs_list)
    cur_salient_hidden_states = cur_tome_hidden_states[cur_salient_indexs]
    cur_all_indexs = torch.arange(cur_seg_len * frm_len, device=device_type)
    cur_tome_tokens = cur_tome_hidden_states / cur_tome_hidden_states.norm(dim=-1, keepdim=True)
    cur_context_hidden_states = []
    for tmp_context_indexs in cur_context_indexs:
        tmp_retain_index = torch.cat([cur_salient_indexs, tmp_context_indexs])
        tmp_mask = torch.isin(cur_all_indexs, tmp_retain_index)
        tmp_merge_indexs = cur_all_indexs[~tmp_mask]
        tmp_target_tokens = cur_tome_tokens[tmp_context_indexs]
        tmp_to_merge_tokens = cur_tome_tokens[tmp_merge_indexs]
        similarity = torch.mm(tmp_to_merge_tokens, tmp_target_tokens.T)
        assign_one_hot = torch.zeros(tmp_to_merge_tokens.shape[0], tmp_context_indexs.shape[0],
                                     dtype=cur_hidden_states.dtype, device=device_type)
        assign_one_hot.scatter_(1, similarity.argmax(dim=1).unsqueeze(-1), 1)
        avg_weights = (1 / (assign_one_hot.sum(dim=0).unsqueeze(-1) + 1)).clamp(min=beta)
        counts = assign_one_hot.sum(dim=0).clamp(min=1).unsqueeze(-1)
        hidden_to_merge = cur_tome_hidden_states[tmp_merge_indexs]
        aggregated_hidden = torch.mm(assign_one_hot.T, hidden_to_merge) / counts
        target_hidden = cur_tome_hidden_states[tmp_context_indexs]
        target_hidden = avg_weights * target_hidden + (1 - avg_weights) * aggregated_hidden
        cur_context_hidden_states.append(target_hidden)
    cur_context_indexs = torch.cat(cur_context_indexs)
    cur_context_hidden_states = torch.cat(cur_context_hidden_states, dim=0)
    cur_index_combined = torch.cat([cur_salient_indexs, cur_context_indexs])
    cur_hidden_combined = torch.cat([cur_salient_hidden_states, cur_context_hidden_states], dim=0)
    sorted_indexs = torch.argsort(cur_index_combined)
    return cur_index_combined[sorted_indexs], cur_hidden_combined[sorted_indexs]


def select_in_segment(cur_hidden_states, cur_attn_weights, frm_salient_num, frm_context_num, device_type):
    # Both references, verbatim (qwen L1971-2019, llava L969-1013): salient + context indices per frame.
    cur_seg_len, frm_len = cur_attn_weights.shape
    cur_salient_indexs, cur_context_indexs = [], []
    for frame_i in range(cur_seg_len):
        if frm_salient_num[frame_i] > 0:
            frm_top_indexes = torch.topk(cur_attn_weights[frame_i], frm_salient_num[frame_i]).indices
        else:
            frm_top_indexes = None
        if frm_context_num[frame_i] > 0:
            frm_context_indexes = density_peaks(cur_hidden_states, frame_i, frm_top_indexes, frm_len,
                                                frm_context_num[frame_i], device_type)
        else:
            frm_context_indexes = None
        if frm_top_indexes is not None:
            cur_salient_indexs.append(frm_top_indexes + frame_i * frm_len)
        if frm_context_indexes is not None:
            cur_context_indexs.append(frm_context_indexes + frame_i * frm_len)
    return cur_salient_indexs, cur_context_indexs


def qwen_frame_budgets(cur_global_features, cur_seg_len, frm_len, frame_retain_num, P):
    # qwen L1930-1968 verbatim (self.fastvid_* -> P.*).
    seg_retain_num = frame_retain_num * cur_seg_len
    seg_context_num = max(int(seg_retain_num * P.d), 1)
    seg_salient_num = seg_retain_num - seg_context_num
    if cur_seg_len == 1:
        return [seg_salient_num], [seg_context_num]
    cur_global_similarity_matrix = (cur_global_features[:-1] * cur_global_features[1:]).sum(dim=1)
    cur_cut_indices = torch.nonzero(cur_global_similarity_matrix < P.ignore).squeeze(1)
    cur_cut_indices = cur_cut_indices.sort().values
    if cur_cut_indices.shape[0] > 0:
        cur_segment_sizes = [cur_cut_indices[0].item() + 1]
        for i in range(1, cur_cut_indices.shape[0]):
            cur_segment_sizes.append(cur_cut_indices[i].item() - cur_cut_indices[i - 1].item())
        cur_segment_sizes.append(cur_seg_len - cur_cut_indices[-1].item() - 1)
    else:
        cur_segment_sizes = [cur_seg_len]
    valid_seg_len = len(cur_segment_sizes)
    chunk_size = seg_salient_num // valid_seg_len
    remainder = seg_salient_num % valid_seg_len
    frm_salient_num = [chunk_size + (1 if i < remainder else 0) for i in range(valid_seg_len)]
    temp_num = (valid_seg_len + P.p - 1) // P.p
    chunk_size = seg_context_num // temp_num
    remainder = seg_context_num % temp_num
    temp_context_num = [chunk_size + (1 if i < remainder else 0) for i in range(temp_num)]
    tmp_ctx_idx = 0
    frm_context_num = []
    for tmp_i in range(valid_seg_len):
        if tmp_i % P.p == 0:
            frm_context_num.append(min(temp_context_num[tmp_ctx_idx], frm_len // 2))
            if temp_context_num[tmp_ctx_idx] + frm_context_num[-1] > frm_len:
                temp_context_num[tmp_ctx_idx] = frm_len - frm_context_num[-1]
            tmp_ctx_idx += 1
        else:
            frm_context_num.append(0)
    frm_context_num.reverse()
    valid_frm_salient_num, valid_frm_context_num = [], []
    for tmp_tmp_tmp_i in range(valid_seg_len):
        valid_frm_salient_num.extend([0] * (cur_segment_sizes[tmp_tmp_tmp_i] - 1))
        valid_frm_context_num.extend([0] * (cur_segment_sizes[tmp_tmp_tmp_i] - 1))
        if frm_context_num[tmp_tmp_tmp_i] == 0:
            valid_frm_salient_num.append(min(frm_salient_num[tmp_tmp_tmp_i], frm_len))
            valid_frm_context_num.append(0)
        elif frm_context_num[tmp_tmp_tmp_i] > 0:
            valid_frm_context_num.append(min(frm_context_num[tmp_tmp_tmp_i], frm_len // 2))
            valid_frm_salient_num.append(min(frm_salient_num[tmp_tmp_tmp_i], frm_len - valid_frm_context_num[-1]))
        else:
            valid_frm_salient_num.append(frm_len - int(frm_len * P.d))
            valid_frm_context_num.append(int(frm_len * P.d))
    return valid_frm_salient_num, valid_frm_context_num


def qwen2_5_vl_reference(video_hidden_states, frame_attn_weights, frame_global_features, P):
    """video_hidden_states [F, T, D] (T = merged tokens of a temporal patch), frame_attn_weights [F, T],
    frame_global_features [F, G]. Returns (segment sizes, kept indices within the video, kept tokens)."""
    frame_num, frm_len = frame_attn_weights.shape
    device_type = video_hidden_states.device
    frame_global_features = frame_global_features / frame_global_features.norm(dim=1, keepdim=True)
    similarity_matrix = (frame_global_features[:-1] * frame_global_features[1:]).sum(dim=1)
    segment_sizes = dyseg_sizes(similarity_matrix, P.c, P.tau, frame_num)
    segments_hidden_states = torch.split(video_hidden_states, segment_sizes)
    segments_attn_weights = torch.split(frame_attn_weights, segment_sizes)
    segments_global_features = torch.split(frame_global_features, segment_sizes)
    vision_tokens, keep_indexs = [], []
    frame_retain_num = int(frm_len * P.retention)  # int(frame_w * frame_h * ratio), L1919
    seg_index_start = 0  # prompt_start_len: indices here are within the video
    for seg_i in range(len(segment_sizes)):
        cur_hidden_states = segments_hidden_states[seg_i]
        cur_attn_weights = segments_attn_weights[seg_i]
        cur_seg_len, frm_len = cur_attn_weights.shape
        frm_salient_num, frm_context_num = qwen_frame_budgets(segments_global_features[seg_i], cur_seg_len,
                                                              frm_len, frame_retain_num, P)
        sal, ctx = select_in_segment(cur_hidden_states, cur_attn_weights, frm_salient_num, frm_context_num,
                                     device_type)
        idx, tok = merge_segment(cur_hidden_states, cur_seg_len, frm_len, sal, ctx, P.beta, device_type)
        vision_tokens.append(tok)
        keep_indexs.append(idx + seg_index_start)
        seg_index_start = seg_index_start + cur_seg_len * frm_len
    vision_tokens = torch.cat(vision_tokens, dim=0)
    keep_indexs = torch.cat(keep_indexs)
    order = keep_indexs.argsort()  # the reference sorts keep_indexs; the tokens are already in that order
    assert torch.equal(order, torch.arange(order.numel()))
    return segment_sizes, keep_indexs, vision_tokens


def llava_video_budgets(cur_seg_len, frame_retain_num, P):
    # llava L939-967 verbatim (self.fastvid_* -> P.*).
    seg_retain_num = frame_retain_num * cur_seg_len
    seg_context_num = int(seg_retain_num * P.d)
    seg_salient_num = seg_retain_num - seg_context_num
    if cur_seg_len == 1:
        return [seg_salient_num], [seg_context_num]
    chunk_size = seg_salient_num // cur_seg_len
    remainder = seg_salient_num % cur_seg_len
    frm_salient_num = [chunk_size + (1 if i < remainder else 0) for i in range(cur_seg_len)]
    temp_num = (cur_seg_len + P.p - 1) // P.p
    chunk_size = seg_context_num // temp_num
    remainder = seg_context_num % temp_num
    temp_context_num = [chunk_size + (1 if i < remainder else 0) for i in range(temp_num)]
    tmp_ctx_idx = 0
    frm_context_num = []
    for tmp_i in range(cur_seg_len):
        if tmp_i % P.p == 0:
            frm_context_num.append(temp_context_num[tmp_ctx_idx])
            tmp_ctx_idx += 1
        else:
            frm_context_num.append(0)
    frm_context_num.reverse()
    assert sum(frm_salient_num) == seg_salient_num and sum(frm_context_num) == seg_context_num
    return frm_salient_num, frm_context_num


def llava_video_reference(video_with_newlines, frame_attn_weights, frame_global_features, P, frame_num):
    """video_with_newlines [F * h * (w + 1), D] (a newline after every row), frame_attn_weights [F, h * w],
    frame_global_features [F, G]. Returns (segment sizes, kept indices within the video, kept tokens)."""
    row = P.grid_w + 1  # the reference's 14
    video_token_len = video_with_newlines.shape[0]
    device = video_with_newlines.device
    video_all_indexs = torch.arange(video_token_len, device=device)
    newline_mask = (video_all_indexs + 1) % row != 0
    real_video_token_len = frame_num * frame_attn_weights.shape[1]  # 64 * 13 * 13
    video_hidden_states = video_with_newlines[newline_mask]
    pure_video_all_indexs = video_all_indexs[newline_mask]
    video_hidden_states = video_hidden_states.reshape(frame_num, real_video_token_len // frame_num, -1)
    frame_attn_weights = frame_attn_weights.reshape(frame_num, real_video_token_len // frame_num)
    frame_global_features = frame_global_features / frame_global_features.norm(dim=1, keepdim=True)
    similarity_matrix = (frame_global_features[:-1] * frame_global_features[1:]).sum(dim=1)
    segment_sizes = dyseg_sizes(similarity_matrix, P.c, P.tau, frame_num)
    segments_hidden_states = torch.split(video_hidden_states, segment_sizes)
    segments_attn_weights = torch.split(frame_attn_weights, segment_sizes)
    vision_tokens, vision_indexs = [], []
    frame_retain_num = int(real_video_token_len // frame_num * P.retention)
    seg_index_start = 0
    for seg_i in range(len(segment_sizes)):
        cur_hidden_states = segments_hidden_states[seg_i]
        cur_attn_weights = segments_attn_weights[seg_i]
        cur_seg_len, frm_len = cur_attn_weights.shape
        frm_salient_num, frm_context_num = llava_video_budgets(cur_seg_len, frame_retain_num, P)
        sal, ctx = select_in_segment(cur_hidden_states, cur_attn_weights, frm_salient_num, frm_context_num, device)
        idx, tok = merge_segment(cur_hidden_states, cur_seg_len, frm_len, sal, ctx, P.beta, device)
        vision_tokens.append(tok)
        vision_indexs.append(idx + seg_index_start)
        seg_index_start = seg_index_start + cur_seg_len * frm_len
    vision_tokens = torch.cat(vision_tokens, dim=0)
    vision_indexs = torch.cat(vision_indexs, dim=0)
    # L1048-1058: back to indices with newlines; the newline of every row holding a kept token is kept.
    pure_select_index = pure_video_all_indexs[vision_indexs]
    newline_index = ((pure_select_index // row) + 1) * row - 1
    newline_index = torch.unique(newline_index)
    newline_token = video_with_newlines[newline_index]
    vision_tokens = torch.cat([vision_tokens, newline_token], dim=0)
    vision_indexs = torch.cat([pure_select_index, newline_index])
    sorted_indexs = torch.argsort(vision_indexs)
    return segment_sizes, vision_indexs[sorted_indexs], vision_tokens[sorted_indexs]


def qwen_saliency(fixture, golden):
    """The reference's saliency on the tiny Qwen2.5-VL fixture: the last vision block's attention of each temporal
    patch's mean query to its keys averaged over each 2x2 merge group (modeling_qwen2_5_vl.py L190-203), in raster
    order (L590-594). The block input is the fixture's captured vision_block{depth-2}_out (window order)."""
    import json
    cfg = json.loads((fixture / "config.json").read_text())["vision_config"]
    depth, heads = cfg["depth"], cfg["num_heads"]
    weights = load_file(str(fixture / "model.safetensors"))
    pre = f"visual.blocks.{depth - 1}."
    if pre + "norm1.weight" not in weights:
        pre = f"model.visual.blocks.{depth - 1}."
    x = golden[f"vision_block{depth - 2}_out"].float()
    norm_w = weights[pre + "norm1.weight"].float()
    x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * norm_w  # Qwen2RMSNorm, eps 1e-6 (L347)
    qkv = torch.nn.functional.linear(x, weights[pre + "attn.qkv.weight"].float(), weights[pre + "attn.qkv.bias"].float())
    seq_length = x.shape[0]
    q, k, v = qkv.reshape(seq_length, 3, heads, -1).permute(1, 0, 2, 3).unbind(0)
    window_index = golden["vision_window_index"].long()
    rot = golden["vision_rot_pos_emb"].float()  # patch order; the reference reorders it by window (L548-550)
    rot = rot.reshape(seq_length // 4, 4, -1)[window_index].reshape(seq_length, -1)
    emb = torch.cat((rot, rot), dim=-1)
    cos, sin = emb.cos(), emb.sin()

    def rotate_half(t):
        t1, t2 = t[..., : t.shape[-1] // 2], t[..., t.shape[-1] // 2:]
        return torch.cat((-t2, t1), dim=-1)

    # apply_rotary_pos_emb_vision (L227-239): cos/sin unsqueezed on the head axis, float math
    cos_, sin_ = cos.unsqueeze(-2).float(), sin.unsqueeze(-2).float()
    q_attn = (q.float() * cos_) + (rotate_half(q.float()) * sin_)
    k_attn = (k.float() * cos_) + (rotate_half(k.float()) * sin_)
    q_attn, k_attn = q_attn.transpose(0, 1), k_attn.transpose(0, 1)
    grid_t, grid_h, grid_w = [int(v) for v in golden["video_grid_thw"][0]]
    head_dim = q.shape[-1]
    q_attn = q_attn.reshape(heads, grid_t, grid_h * grid_w, head_dim).mean(-2, keepdim=True)
    k_attn = k_attn.reshape(heads, grid_t, grid_h * grid_w // 4, 4, head_dim).mean(-2)
    attn_weights = torch.matmul(q_attn, k_attn.transpose(-2, -1)) / math.sqrt(head_dim)
    attn_weights = torch.nn.functional.softmax(attn_weights, dim=-1, dtype=torch.float32).to(q_attn.dtype)
    attn_weights = attn_weights.mean(2).mean(0)
    reverse_indices = torch.argsort(window_index)
    attn_weights = attn_weights.reshape(-1)[reverse_indices]
    return attn_weights.reshape(grid_t, -1)


def llava_onevision_reference(video_hidden_states, frame_attn_weights, frame_global_features, P):
    """The reference's LLaVA-OneVision branch, fastvid_llavaonevision/LLaVA-NeXT/llava/model/language_model/
    modeling_qwen2.py Qwen2Model.forward L900-1066, transcribed line for line (self.* -> arguments / P.*; the
    prompt's text dropped, so video_start_idx = 0 and indices are within the video). video_hidden_states [F, T, D]
    (the frames' pooled tokens; the one_token newline after the video is not among them), frame_attn_weights [F, T],
    frame_global_features [F, G]. Returns (segment sizes, kept indices, kept tokens)."""
    frame_num, frame_token_len = frame_attn_weights.shape
    device_type = video_hidden_states.device
    hidden_states_dim = video_hidden_states.shape[-1]
    video_token_len = frame_num * frame_token_len
    batchframe_indices = torch.arange(frame_num, device=device_type).unsqueeze(1)
    alltoken_indices = torch.arange(video_token_len, device=device_type).view(frame_num, frame_token_len)
    # DySeg (L914-923)
    frame_global_features = frame_global_features / frame_global_features.norm(dim=1, keepdim=True)
    similarity_matrix = (frame_global_features[:-1] * frame_global_features[1:]).sum(dim=1)
    segment_sizes = dyseg_sizes(similarity_matrix, P.c, P.tau, frame_num)
    # STPrune budgets (L926-954)
    keep_indexs, final_tokens = (), []
    frame_retain_num = int(frame_token_len * P.retention)
    frame_salient_num = frame_retain_num - int(frame_retain_num * P.d)
    frm_context_num_list = torch.zeros(frame_num, dtype=torch.int, device=device_type)
    frame_context_num = frame_retain_num - frame_salient_num
    offset = 0
    for seg_i_len in segment_sizes:
        seg_context_num = frame_context_num * seg_i_len
        temp_num = (seg_i_len + P.p - 1) // P.p
        cur_frm_context_num = seg_context_num // temp_num
        end = offset + seg_i_len
        seg_indices = torch.arange(seg_i_len - 1, -1, -1, device=device_type)
        mask = (seg_indices % P.p == 0)
        frm_context_num_list[offset:end][mask] = cur_frm_context_num
        offset = end
    # ATS (L956-962)
    salient_indexes = torch.topk(frame_attn_weights, frame_salient_num, dim=1).indices
    batch_indices = batchframe_indices.expand(-1, frame_salient_num)
    salient_tokens = video_hidden_states[batch_indices, salient_indexes]
    salient_global_indexes = alltoken_indices[batch_indices, salient_indexes]
    final_tokens.append(salient_tokens.view(-1, hidden_states_dim))
    keep_indexs += (salient_global_indexes.view(-1),)
    # Parallel density score computation (L964-989)
    all_indices = torch.arange(frame_token_len, device=device_type).unsqueeze(0).expand(frame_num, -1)
    all_indices_mask = torch.ones_like(all_indices, dtype=torch.bool)
    all_indices_mask.scatter_(1, salient_indexes, False)
    filtered_indices = all_indices[all_indices_mask].view(frame_num, frame_token_len - frame_salient_num)
    batch_indices = batchframe_indices.expand(-1, frame_token_len - frame_salient_num)
    token_filtered = video_hidden_states[batch_indices, filtered_indices]
    alltoken_filtered_indices = alltoken_indices[batch_indices, filtered_indices]
    tmp_frm_hidden_states = token_filtered
    dist_matrix = torch.cdist(tmp_frm_hidden_states.float(), tmp_frm_hidden_states.float()) / (hidden_states_dim ** 0.5)
    dist_nearest, index_nearest = torch.topk(dist_matrix, k=4, dim=-1, largest=False)
    density = (-(dist_nearest ** 2).mean(dim=-1)).exp()
    density = density + torch.rand(density.shape, device=device_type, dtype=density.dtype) * 1e-6
    density_mask = density[:, None, :] > density[:, :, None]
    density_mask = density_mask.type(tmp_frm_hidden_states.dtype)
    dist_max = dist_matrix.flatten(1).max(dim=-1)[0][:, None, None]
    dist_0, index_parent = (dist_matrix * density_mask + dist_max * (1 - density_mask)).min(dim=-1)
    density_score = dist_0 * density
    sampled_indexs = torch.topk(density_score, k=frame_context_num, dim=-1).indices
    # DTM for single-frame segments (L991-1016)
    batch_indices = batchframe_indices.expand(-1, frame_context_num)
    frm_context_tokens = token_filtered[batch_indices, sampled_indexs]
    frm_context_global_indexes = alltoken_filtered_indices[batch_indices, sampled_indexs]
    to_be_merge_tokens = token_filtered / token_filtered.norm(dim=-1, keepdim=True)
    merge_target_tokens = to_be_merge_tokens[batch_indices, sampled_indexs]
    similarity = torch.bmm(to_be_merge_tokens, merge_target_tokens.transpose(1, 2))
    assign_one_hot = torch.zeros(frame_num, frame_token_len - frame_salient_num, frame_context_num,
                                 dtype=token_filtered.dtype, device=device_type)
    assign_one_hot.scatter_(2, similarity.argmax(dim=2).unsqueeze(-1), 1)
    avg_weights = (1 / (assign_one_hot.sum(dim=1).unsqueeze(-1) + 1)).clamp(min=P.beta)
    counts = assign_one_hot.sum(dim=1).clamp(min=1).unsqueeze(-1)
    aggregated_hidden = torch.bmm(assign_one_hot.transpose(1, 2), token_filtered) / counts
    frm_context_tokens = avg_weights * frm_context_tokens + (1 - avg_weights) * aggregated_hidden
    context_for_frame_mask = (frm_context_num_list == frame_context_num)
    context_for_frame_tokens = frm_context_tokens[context_for_frame_mask]
    context_for_frame_global_indexes = frm_context_global_indexes[context_for_frame_mask]
    final_tokens.append(context_for_frame_tokens.view(-1, hidden_states_dim))
    keep_indexs += (context_for_frame_global_indexes.view(-1),)
    # DTM for multi-frame segments (L1018-1060)
    idx_seg_start = 0
    for seg_i_len in segment_sizes:
        if seg_i_len > 1:
            cur_seg_context_num_list = frm_context_num_list[idx_seg_start:idx_seg_start + seg_i_len]
            cur_seg_context_num = cur_seg_context_num_list[-1]
            cur_seg_target_mask = (cur_seg_context_num_list > frame_context_num)
            cur_seg_target_num = cur_seg_target_mask.sum()
            cur_seg_density_score = density_score[idx_seg_start:idx_seg_start + seg_i_len]
            cur_seg_density_score = cur_seg_density_score[cur_seg_target_mask]
            cur_seg_token_filtered = token_filtered[idx_seg_start:idx_seg_start + seg_i_len]
            cur_seg_token_target = cur_seg_token_filtered[cur_seg_target_mask]
            cur_seg_token_filtered = cur_seg_token_filtered.view(1, -1, hidden_states_dim).expand(cur_seg_target_num, -1, -1)
            cur_seg_alltoken_indices = alltoken_filtered_indices[idx_seg_start:idx_seg_start + seg_i_len]
            cur_seg_alltoken_indices = cur_seg_alltoken_indices[cur_seg_target_mask]
            sampled_indexs = torch.topk(cur_seg_density_score, k=cur_seg_context_num, dim=-1).indices
            batch_indices = batchframe_indices[:cur_seg_target_num].expand(-1, cur_seg_context_num)
            cur_context_tokens = cur_seg_token_target[batch_indices, sampled_indexs]
            cur_context_global_indexes = cur_seg_alltoken_indices[batch_indices, sampled_indexs]
            to_be_merge_tokens = cur_seg_token_filtered / cur_seg_token_filtered.norm(dim=-1, keepdim=True)
            merge_target_tokens = cur_context_tokens / cur_context_tokens.norm(dim=-1, keepdim=True)
            similarity = torch.bmm(to_be_merge_tokens, merge_target_tokens.transpose(1, 2))
            assign_one_hot = torch.zeros(cur_seg_target_num, to_be_merge_tokens.shape[1], cur_seg_context_num,
                                         dtype=token_filtered.dtype, device=device_type)
            assign_one_hot.scatter_(2, similarity.argmax(dim=2).unsqueeze(-1), 1)
            avg_weights = (1 / (assign_one_hot.sum(dim=1).unsqueeze(-1) + 1)).clamp(min=P.beta)
            counts = assign_one_hot.sum(dim=1).clamp(min=1).unsqueeze(-1)
            aggregated_hidden = torch.bmm(assign_one_hot.transpose(1, 2), cur_seg_token_filtered) / counts
            cur_context_tokens = avg_weights * cur_context_tokens + (1 - avg_weights) * aggregated_hidden
            final_tokens.append(cur_context_tokens.view(-1, hidden_states_dim))
            keep_indexs += (cur_context_global_indexes.view(-1),)
        idx_seg_start += seg_i_len
    hidden_states = torch.cat(final_tokens, dim=0)
    keep_indexs = torch.cat(keep_indexs, dim=0)
    sorted_indexs = torch.argsort(keep_indexs)
    return segment_sizes, keep_indexs[sorted_indexs], hidden_states[sorted_indexs]


def write_siglip_release(dest, vision):
    """A tiny SigLIP release folder as transformers writes google/siglip-so400m-patch14-384 (SiglipModel:
    config.json model_type "siglip" with vision_config / text_config, vision_model.* and text_model.* tensors),
    the vision tower's dimensions those of the LLaVA-Video fixture's tower. Returns the model."""
    from transformers import SiglipConfig, SiglipModel
    torch.manual_seed(2026)
    config = SiglipConfig(
        vision_config={k: vision[k] for k in ("hidden_size", "intermediate_size", "num_hidden_layers",
                                              "num_attention_heads", "image_size", "patch_size")},
        text_config={"vocab_size": 64, "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 1,
                     "num_attention_heads": 4, "max_position_embeddings": 16, "projection_size": 32,
                     "bos_token_id": 0, "eos_token_id": 1, "pad_token_id": 1})
    model = SiglipModel(config).eval()
    with torch.no_grad():  # init leaves biases zero and LayerNorms at identity: give every head tensor values
        vm = model.vision_model
        for p in list(vm.post_layernorm.parameters()) + list(vm.head.parameters()):
            p.copy_(p + 0.2 * torch.randn_like(p))
    model.save_pretrained(str(dest))
    return model


def llava_head_signals(model, features):
    """FastVID's LLaVA-Video saliency and global features from the SigLIP release's head, transcribed from the
    reference: siglip_encoder.py SigLipVisionAbstract.forward (post_layernorm, then the head) and
    SigLipMultiheadAttentionPoolingHead.forward (L470-480: nn.MultiheadAttention with its default need_weights,
    i.e. the weights averaged over heads, [F, 1, N]), then llava_arch.py get_attn_2dPool (L188-197: view
    [F, 1, g, g], avg_pool2d(2), flattened). `features` [F, g*g, D]: the tower's output the reference feeds it
    (encode_images L219-223: get_vision_tower()(images), all layers but the last, no post_layernorm)."""
    vm = model.vision_model
    with torch.no_grad():
        last_hidden_state = vm.post_layernorm(features)
        probe = vm.head.probe.repeat(features.shape[0], 1, 1)
        hidden_state, attn_weights = vm.head.attention(probe, last_hidden_state, last_hidden_state)
        residual = hidden_state
        hidden_state = vm.head.layernorm(hidden_state)
        hidden_state = residual + vm.head.mlp(hidden_state)
        pooled = hidden_state[:, 0]
        # transformers' own head gives the same pooled output (it drops the weights).
        assert torch.allclose(pooled, vm.head(last_hidden_state), atol=1e-6)
        frames, _, tokens = attn_weights.shape
        side = int(round(math.sqrt(tokens)))
        pooled_attn = torch.nn.functional.avg_pool2d(attn_weights.view(frames, 1, side, side), 2)
    return pooled, attn_weights.reshape(frames, tokens), pooled_attn.reshape(frames, -1)


def reduced_prefill_logits(fixture, embeds_LD, video_begin, video_len, kept, tokens):
    """transformers' Qwen2ForCausalLM (the fixture's LLM weights, eager, fp32) on the reduced prompt: the text rows
    of the fixture's inputs_embeds, the kept video rows (`tokens`, merged context rows included), each at its
    original position (the reference's position_ids = keep_indexs). Returns (logits [L', V], positions [L'])."""
    import json
    from transformers import Qwen2Config, Qwen2ForCausalLM
    cfg = json.loads((fixture / "config.json").read_text())
    keys = ("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
            "num_key_value_heads", "hidden_act", "rms_norm_eps", "max_position_embeddings", "rope_theta",
            "tie_word_embeddings")
    config = Qwen2Config(**{k: cfg[k] for k in keys})
    config._attn_implementation = "eager"
    llm = Qwen2ForCausalLM(config).float().eval()
    weights = load_file(str(fixture / "model.safetensors"))
    state = {k: v.float() for k, v in weights.items()
             if k == "lm_head.weight" or (k.startswith("model.") and not k.startswith(("model.vision_tower",
                                                                                     "model.mm_projector",
                                                                                     "model.image_newline")))}
    missing, unexpected = llm.load_state_dict(state, strict=False)
    assert not unexpected and all("rotary" in m for m in missing), (missing, unexpected)
    L = embeds_LD.shape[0]
    before, after = torch.arange(video_begin), torch.arange(video_begin + video_len, L)
    positions = torch.cat([before, kept + video_begin, after])
    x = torch.cat([embeds_LD[:video_begin], tokens, embeds_LD[video_begin + video_len:]])
    # A 4-D causal mask, as the reference slices its causal_mask to the kept rows (L1062-1064): without one,
    # transformers' create_causal_mask reads gapped position_ids as packed sequences (a new document at every
    # gap, find_packed_sequence_indices) and masks across the gaps.
    n = x.shape[0]
    additive = torch.zeros(1, 1, n, n)
    additive[0, 0][torch.ones(n, n, dtype=torch.bool).triu(1)] = torch.finfo(torch.float32).min
    with torch.no_grad():
        logits = llm(inputs_embeds=x[None], position_ids=positions.view(1, -1), use_cache=False,
                     attention_mask={"full_attention": additive}).logits[0]
    return logits, positions


def planted(frames, tokens, dim, runs, gen):
    """Frames whose tokens share a per-run base direction: adjacent frames in a run are near-identical."""
    x = torch.empty(frames, tokens, dim)
    f = 0
    for length in runs:
        base = torch.randn(tokens, dim, generator=gen)
        for _ in range(length):
            x[f] = base + 0.05 * torch.randn(tokens, dim, generator=gen)
            f += 1
    return x


def run_case(out, name, variant, frames, saliency, global_features, P, frame_num=None):
    torch.manual_seed(P.seed)
    if variant == QWEN:
        sizes, kept, tokens = qwen2_5_vl_reference(frames, saliency, global_features, P)
    elif variant == ONEVISION:
        sizes, kept, tokens = llava_onevision_reference(frames, saliency, global_features, P)
    else:
        sizes, kept, tokens = llava_video_reference(frames.reshape(-1, frames.shape[-1]), saliency,
                                                    global_features, P, frame_num)
    out[f"{name}.frames"] = frames.clone().contiguous()
    out[f"{name}.saliency"] = saliency.clone().contiguous()
    out[f"{name}.global"] = global_features.clone().contiguous()
    out[f"{name}.params"] = P.tensor()
    out[f"{name}.segments"] = torch.tensor(sizes, dtype=torch.int64)
    out[f"{name}.kept"] = kept.to(torch.int64)
    out[f"{name}.tokens"] = tokens.contiguous()
    print(f"{name}: segments {sizes}, kept {kept.numel()} of {frames.shape[0] * frames.shape[1]}")


def main():
    out = {}
    gen = torch.Generator().manual_seed(26)
    # Planted segments, Qwen2.5-VL variant: runs 3, 4, 2, 3 over 12 temporal patches; c = 3 cuts the two lowest
    # similarities, tau cuts the third planted boundary; `ignore` 0.95 > the in-run similarity splits nothing.
    x = planted(12, 16, 24, [3, 4, 2, 3], gen)
    g = x.mean(1)
    s = torch.rand(12, 16, generator=gen)
    run_case(out, "qwen_planted", QWEN, x, s, g, Params(QWEN, 0.27, 3, 0.84, 0.95, 0.4, 4, 0.6, seed=7))
    # The same frames with Qwen's `ignore` above the in-run similarity (every frame its own sub-segment) and p 2.
    run_case(out, "qwen_ignore", QWEN, x, s, g, Params(QWEN, 0.5, 2, 0.5, 0.99995, 0.4, 2, 0.6, seed=3))
    # Qwen's defaults on 16 patches with runs of 1 (single-frame segments) and a long run.
    x = planted(16, 20, 32, [1, 1, 6, 2, 1, 5], gen)
    run_case(out, "qwen_defaults", QWEN, x, torch.rand(16, 20, generator=gen), x.mean(1),
             Params(QWEN, 0.27, 8, 0.84, 0.95, 0.4, 4, 0.6, seed=11))
    # Ties decided by the density noise: every frame holds 4 tokens repeated 4 times (equal densities within each
    # group, equal distance indicators), so which duplicate becomes a context token is the seeded torch.rand's.
    base = torch.randn(6, 4, 16, generator=gen)
    x = base.repeat_interleave(4, dim=1)
    run_case(out, "qwen_ties", QWEN, x, torch.rand(6, 16, generator=gen), x.mean(1) + torch.randn(6, 16, generator=gen),
             Params(QWEN, 0.5, 2, 0.84, 0.95, 0.4, 1, 0.6, seed=1234))
    # LLaVA-Video variant, planted: 10 frames of a 4x4 grid + a newline per row (20 tokens a frame).
    grid = planted(10, 16, 24, [2, 5, 3], gen).reshape(10, 4, 4, 24)
    newline = torch.randn(24, generator=gen)
    with_rows = torch.cat([grid, newline.expand(10, 4, 1, 24)], dim=2).reshape(10, 20, 24)
    run_case(out, "llava_planted", LLAVA, with_rows, torch.rand(10, 16, generator=gen),
             grid.mean((1, 2))[:, :12] + 0.01 * torch.randn(10, 12, generator=gen),
             Params(LLAVA, 0.5, 3, 0.9, 0.0, 0.4, 4, 0.6, seed=5, grid_w=4), frame_num=10)
    run_case(out, "llava_defaults", LLAVA, with_rows, torch.rand(10, 16, generator=gen),
             grid.mean((1, 2)), Params(LLAVA, 0.25, 8, 0.9, 0.0, 0.4, 4, 0.6, seed=9, grid_w=4),
             frame_num=10)
    # The tiny fixtures' captured video embeddings.
    fixture = ROOT / "tests" / "data" / "golden" / "qwen2_5_vl_tiny"
    golden = load_file(str(fixture / "golden.safetensors"))
    t, h, w = [int(v) for v in golden["video_grid_thw"][0]]
    emb = golden["vision_embeds"].float().reshape(t, h * w // 4, -1)
    run_case(out, "qwen_tiny", QWEN, emb, qwen_saliency(fixture, golden), emb.mean(1),
             Params(QWEN, 0.5, 2, 0.84, 0.95, 0.4, 4, 0.6, seed=0))
    lv = load_file(str(ROOT / "tests" / "data" / "golden" / "llava_video_tiny" / "golden.safetensors"))
    tokens = lv["video_tokens_average_grid"].float()  # 3 frames x 3 rows x (3 + newline)
    frames = tokens.reshape(3, 12, -1)
    run_case(out, "llava_tiny", LLAVA, frames, torch.rand(3, 9, generator=gen), torch.randn(3, 16, generator=gen),
             Params(LLAVA, 0.5, 2, 0.9, 0.0, 0.4, 4, 0.6, seed=0, grid_w=3), frame_num=3)
    # The tiny fixture with FastVID's LLaVA-Video signals from a SigLIP release's head (the reference's
    # SigLipVisionAbstract): the release written by transformers, the signals from the fixture's tower features.
    import json
    vision = json.loads((ROOT / "tests" / "data" / "golden" / "llava_video_tiny" / "config.json").read_text())["vision_config"]
    release = write_siglip_release(ROOT / "tests" / "data" / "golden" / "siglip_tiny_release", vision)
    pooled, head_attn, saliency = llava_head_signals(release, lv["vision_features"].float())
    out["llava_tiny_head.head_attention"] = head_attn.contiguous()
    run_case(out, "llava_tiny_head", LLAVA, frames, saliency, pooled,
             Params(LLAVA, 0.5, 2, 0.9, 0.0, 0.4, 4, 0.6, seed=0, grid_w=3), frame_num=3)
    # Prefill after the reduction: the fixture's prompt (4 text tokens, the 36 video rows, 8 question tokens) with
    # the video reduced as above, in transformers.
    logits, positions = reduced_prefill_logits(ROOT / "tests" / "data" / "golden" / "llava_video_tiny",
                                               lv["inputs_embeds"].float(), 4, 36, out["llava_tiny_head.kept"],
                                               out["llava_tiny_head.tokens"])
    out["llava_tiny_head.reduced_logits"] = logits.contiguous()
    out["llava_tiny_head.reduced_positions"] = positions.to(torch.int64).contiguous()
    # LLaVA-OneVision variant (bilinear-pooled frames, one newline after the video, outside the frames here).
    # Planted runs 2, 5, 3 over 10 frames of 16 tokens: p 2 gives the 5-frame segment 3 anchors, the 2-frame one 1.
    x = planted(10, 16, 24, [2, 5, 3], gen)
    run_case(out, "onevision_planted", ONEVISION, x, torch.rand(10, 16, generator=gen),
             x.mean(1) + 0.01 * torch.randn(10, 24, generator=gen), Params(ONEVISION, 0.5, 3, 0.9, 0.0, 0.4, 2, 0.6, seed=4))
    # The reference's defaults (retention 0.1 of 196 tokens -> 19: 12 salient + 7 context) on 12 frames; runs of 1
    # (single-frame segments) and 4 (p 4: one anchor, 28 context tokens from its 184 filtered tokens).
    x = planted(12, 196, 16, [1, 4, 1, 6], gen)
    run_case(out, "onevision_defaults", ONEVISION, x, torch.rand(12, 196, generator=gen), x.mean(1),
             Params(ONEVISION, 0.1, 8, 0.9, 0.0, 0.4, 4, 0.6, seed=21))
    # The tiny fixture's bilinear frames (3 x 4 x 4 + the trailing newline) with the head's attention interpolated
    # as get_attn_2dPool does for mm_spatial_pool_mode "bilinear" (fastvid_llavaonevision llava_arch.py L188-199).
    bil = lv["video_tokens_bilinear_one_token"].float()[:-1].reshape(3, 16, -1)
    attn7 = head_attn.reshape(3, 1, 7, 7)
    sal = torch.nn.functional.interpolate(attn7, size=[4, 4], mode="bilinear").reshape(3, 16)
    run_case(out, "onevision_tiny_head", ONEVISION, bil, sal, pooled, Params(ONEVISION, 0.5, 2, 0.9, 0.0, 0.4, 4, 0.6, seed=0))
    dest = ROOT / "tests" / "data" / "reduction" / "fastvid_golden.safetensors"
    save_file(out, str(dest), metadata={"reference": "LunarShen/FastVID a40a109", "torch": torch.__version__})
    print("wrote", dest)


if __name__ == "__main__":
    main()
