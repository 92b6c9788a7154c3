"""FastVID's inline selection branches, transcribed from the reference for the goldens (make_fastvid_golden.py).

Reference: github LunarShen/FastVID (commit a40a109). FastVID has no importable selection function: DySeg,
STPrune and the merging run inline in the models' forward(), and importing those modules needs the reference's
forks (flash_attn, its LLaVA-NeXT tree, lmms-eval's eval_logger). So the inline branches are transcribed here
line for line, only the glue replaced (inputs passed in instead of read from the prompt; the prompt's text tokens
dropped, so indices are within the video):

  qwen2_5_vl_reference   fastvid_qwen25vl/lmms-eval/lmms_eval/models/qwenvlutils/modeling_qwen2_5_vl.py,
                         Qwen2_5_VLForConditionalGeneration.forward, the `if seq_length > 1:` branch (L1891-2097).
  llava_video_reference  fastvid_llavavideo/LLaVA-NeXT/llava/model/language_model/modeling_qwen2.py,
                         Qwen2Model.forward, the `if seq_length > 1: ### FastVID` branch (L893-1063). Glue: the
                         reference hard-codes 64 frames of 13x13 pooled tokens with a newline after every row (14);
                         here the grid (h, w) and the frame count are arguments (14 -> w + 1).
  llava_onevision_reference  fastvid_llavaonevision/LLaVA-NeXT/llava/model/language_model/modeling_qwen2.py,
                         Qwen2Model.forward L900-1066 (a "parallel" variant: equal salient counts per frame,
                         context tokens on every p-th frame from a segment's end merging the whole segment).

`P` is make_fastvid_golden.Params (retention, c, tau, ignore, d, p, beta, grid_w).
"""
import torch

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
