"""Echo's CLIP from generated films: scene-graph captions vary their wording but always name the set
and the time, come from a ShotPlan's scene graph (not the film's text) and differ between sets; the
film split keeps every held-out film's text out of training; the module runs a fast_dev_run;
`caption_retrieval` ranks a known-correct model's shots first and captions dealt at random at exactly
chance; and retrieval learns a known answer (frames that differ only by colour, captions that differ
only by colour words) to 100%. Tiny nets: seconds on one CPU thread."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from protoforge.data.captions import ShotScene, captions_for, names_for
from protoforge.data.film_captions import (
    EVAL_SEED, TRAIN_SEED, FilmCaptionsDataModule, ShotCaptionFrames, split_films, training_captions,
)
from protoforge.data.story_films import RenderedFilm, generate_films, split_of
from talos_assets.agents.evaluation.alignment import caption_retrieval

TINY = dict(image_size=16, embed_dim=32, patch_size=8, vision_width=32, vision_layers=1, vision_head_width=16,
            text_width=32, text_heads=2, text_layers=1, context_length=24)


def _fake_films(n: int) -> list[RenderedFilm]:
    """Films of generated recipes with random frames (the split reads only their text and scenes)."""
    rng = np.random.default_rng(0)
    return [RenderedFilm(film_id=r.film_id, text=r.text(), scenes=[s.scene() for s in r.shots],
                         frames=[rng.integers(0, 255, (3, 18, 32, 3), dtype=np.uint8) for _ in r.shots])
            for r in generate_films(n, shots_per_film=3, seed=7)]


@pytest.mark.parametrize("scene", [
    ShotScene(place="forest", time_of_day="dusk", weather="rain", props=["lantern"], effects=["smoke"],
              actions=[("mira", "wave")], emotion="joy"),
    ShotScene(place="city-street", time_of_day="night", weather="clear", actions=[("talos", "run")], emotion="fear"),
    ShotScene(place="kitchen", time_of_day="morning", weather="fog", interior=True, props=["table", "cup"]),
])
def test_captions_vary_and_always_name_set_and_time(scene):
    caps = captions_for(scene, 4)
    assert len(set(caps)) >= 3
    names = names_for(scene)
    for cap in caps:
        assert any(w in cap for w in names["place"]), cap
        assert any(w in cap for w in names["time"]), cap
    # varied wording, not one sentence reshuffled: the paraphrases do not all use the same words
    assert len({frozenset(c.replace(",", "").split()) for c in caps}) >= 3
    assert captions_for(scene, 4) == caps  # seeded: the same on every run


def test_a_clear_night_is_never_called_sunny():
    night = ShotScene(place="shore", time_of_day="night", weather="clear", emotion="calm")
    caps = [c for seed in range(12) for c in captions_for(night, 4, seed)]
    assert not any("sun" in c for c in caps)
    assert any(w in c for c in caps for w in ("cloudless", "clear sky", "clear skies"))  # its weather still said
    noon = ShotScene(place="shore", time_of_day="noon", weather="clear", emotion="calm")
    assert any("sun" in c for seed in range(12) for c in captions_for(noon, 4, seed))


def test_split_keeps_held_out_films_out_of_training():
    films = _fake_films(60)
    # a training film that repeats a held-out shot's scene graph: that shot must not be trained on
    held = next(f for f in films if f.split == "held-out")
    copy_text = "a training film that copies a held-out scene"
    while split_of(copy_text) != "train":
        copy_text += "."
    films.append(RenderedFilm(film_id="copycat", text=copy_text, scenes=[held.scenes[0], films[0].scenes[0]],
                              frames=held.frames[:1] + films[0].frames[:1]))
    splits = split_films(films)
    assert splits.held_out and splits.tuning and splits.train
    assert {f.film_id for f in splits.train}.isdisjoint(f.film_id for f in splits.held_out + splits.tuning)
    assert all(split_of(f.text) == "held-out" for f in splits.held_out)
    assert splits.dropped_train_shots >= 1
    train_keys = {s.key() for f in splits.train for s in f.scenes}
    assert held.scenes[0].key() not in train_keys
    trained = {c for caps in training_captions(splits) for c in caps}
    evaluated = splits.held_out + splits.tuning
    for film in evaluated:
        for scene in film.scenes:
            assert trained.isdisjoint(captions_for(scene, 8, EVAL_SEED) + captions_for(scene, 8, TRAIN_SEED))
        for line in film.text.splitlines():
            assert not any(line.lower() in c.lower() for c in trained)


def test_echo_clip_module_fast_dev_run():
    import lightning as L

    from protoforge.models.echo_clip_module import EchoClipModule

    dm = FilmCaptionsDataModule(split_films(_fake_films(12)), image_size=16, context_length=24, batch_size=8)
    module = EchoClipModule(net_config=TINY, lr=1e-3)
    trainer = L.Trainer(fast_dev_run=True, accelerator="cpu", logger=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(module, datamodule=dm)
    assert np.isfinite(float(trainer.callback_metrics["train/loss"]))
    assert 0.0 <= float(trainer.callback_metrics["val/recall@1"]) <= 1.0


COLOURS = {"red": (220, 30, 30), "green": (30, 200, 40), "blue": (30, 40, 220), "yellow": (230, 220, 30)}


def test_retrieval_learns_colour_words_to_full_accuracy():
    """Known answer: frames that differ only by colour, captions only by colour words -> top-1 = 100%."""
    from protoforge.models.echo_clip_module import EchoClipModule, multi_positive_info_nce

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    names = list(COLOURS)

    def frames(colour: str, n: int) -> np.ndarray:
        base = np.array(COLOURS[colour], np.int16)
        return np.clip(base + rng.integers(-25, 26, (n, 16, 16, 3)), 0, 255).astype(np.uint8)

    caps = [[f"a {c} frame", f"everything is {c}", f"the {c} shot", f"{c} light"] for c in names]
    data = ShotCaptionFrames([frames(c, 8) for c in names], caps, image_size=16, context_length=24)
    module = EchoClipModule(net_config=TINY, lr=3e-3, weight_decay=0.0)
    opt = torch.optim.AdamW(module.parameters(), lr=3e-3)
    loader = torch.utils.data.DataLoader(data, batch_size=32, shuffle=True)
    module.train()
    for _ in range(60):
        for images, tokens, ids in loader:
            img, txt, scale = module(images, tokens)
            loss = multi_positive_info_nce(scale * img @ txt.T, ids)
            opt.zero_grad()
            loss.backward()
            opt.step()
    # unseen frames and unseen wordings of the same colours
    clips = {c: list(frames(c, 4)) for c in names}
    result = caption_retrieval(module, clips, {c: [f"a {c} picture", f"it is all {c}"] for c in names})
    assert [r.top1 for r in result.values()] == [True] * 4
    assert all(r.margin > 0 and r.rank == 1 for r in result.values())
    # and the check can fail: captions swapped between shots rank the own shot last-ish
    swapped = caption_retrieval(module, clips, {c: [f"a {names[(i + 1) % 4]} picture"] for i, c in enumerate(names)})
    assert not any(r.top1 for r in swapped.values())


def _plan(slot: str, place: str, time: str, weather: str = "clear", props=(), action: str = "wave"):
    from talos_assets.spec import CharacterAction, Emotion, Palette, PropUse, Setting, ShotPlan

    return ShotPlan(film_id="film-a", shot_id=f"shot-{slot}", slot=slot, index=1, description="the film's own words",
                    emotion=Emotion.joy, valence=0.5, arousal=0.5, shot_size="wide", camera="static", duration=0.5,
                    frames=6, handle_frames=0, fps=12, width=32, height=18, characters=["mira"], effects=[],
                    palette=Palette.from_hex_list("p", ["#ffffff", "#000000", "#808080", "#ff0000", "#00ff00", "#0000ff"]),
                    background=place, setting=Setting(place=place, time_of_day=time, weather=weather),
                    props=[PropUse(prop=p) for p in props], actions=[CharacterAction(character="mira", action=action)])


def test_shot_captions_come_from_the_scene_graph_and_tell_sets_apart():
    """Echo's captions of a ShotPlan are the scene graph's paraphrases (never the film's own line), and
    two shots on different sets get captions that name different sets."""
    from protoforge.data.captions import scene_of
    from talos_assets.agents.evaluation.alignment import EVAL_CAPTION_SEED, shot_captions

    forest = _plan("s001", "forest", "dusk", "rain", props=["lantern"])
    kitchen = _plan("s002", "kitchen", "morning")
    scene = scene_of(forest)
    assert (scene.place, scene.time_of_day, scene.weather, scene.props) == ("forest", "dusk", "rain", ["lantern"])
    assert scene.actions == [("mira", "wave")] and scene.emotion == "joy"
    caps_f, caps_k = shot_captions(forest), shot_captions(kitchen)
    assert caps_f == captions_for(scene, 3, EVAL_CAPTION_SEED) and len(set(caps_f)) == 3
    assert not any("own words" in c for c in caps_f + caps_k)
    f_names, k_names = names_for(scene), names_for(scene_of(kitchen))
    assert set(f_names["place"]).isdisjoint(k_names["place"])
    assert all(any(w in c for w in f_names["place"]) and not any(w in c for w in k_names["place"]) for c in caps_f)
    assert all(any(w in c for w in k_names["place"]) and not any(w in c for w in f_names["place"]) for c in caps_k)
    assert set(caps_f).isdisjoint(caps_k)


class _ColourNet(torch.nn.Module):
    """A known-correct 'CLIP': an image embeds as its mean colour about grey, a caption as the colour
    word it names, so each colour's caption is nearest its own colour's frames."""

    agent = "echo"
    image_size = 8
    WORDS = {"red": (1.0, 0.0, 0.0), "green": (0.0, 1.0, 0.0), "blue": (0.0, 0.0, 1.0), "yellow": (1.0, 1.0, 0.0)}

    def __init__(self):
        super().__init__()
        self.anchor = torch.nn.Parameter(torch.zeros(1))  # gives the module a device

    @property
    def device(self):
        return self.anchor.device

    def tokenize(self, texts):
        return torch.tensor([next(v for w, v in self.WORDS.items() if w in t) for t in texts])

    @staticmethod
    def _centre(x):
        return torch.nn.functional.normalize(x - x.mean(dim=1, keepdim=True), dim=-1)

    def encode_text(self, tokens):
        return self._centre(tokens.float())

    def encode_image(self, images):
        return self._centre(images.mean(dim=(2, 3)))


def test_caption_retrieval_ranks_a_known_model_right_and_a_shuffled_one_at_chance():
    import itertools

    rng = np.random.default_rng(0)
    names = ["red", "green", "blue", "yellow"]
    clips = {f"s{i}": list(np.clip(np.array(COLOURS[c]) + rng.integers(-20, 21, (3, 12, 20, 3)), 0, 255).astype(np.uint8))
             for i, c in enumerate(names)}
    captions = {f"s{i}": [f"a {c} world", f"everything {c}"] for i, c in enumerate(names)}
    net = _ColourNet()
    right = caption_retrieval(net, clips, captions)
    assert list(right) == list(clips)
    assert all(r.top1 and r.rank == 1 and r.margin > 0.3 and r.own > 0.9 for r in right.values())
    assert right["s0"].best_other_slot == "s3"  # red is nearest yellow
    # captions dealt to the shots by every permutation: top-1 is exactly chance (1/4) on average, and a
    # shot with another shot's caption is never at rank 1
    hits = []
    for perm in itertools.permutations(range(4)):
        dealt = {f"s{i}": captions[f"s{j}"] for i, j in enumerate(perm)}
        result = caption_retrieval(net, clips, dealt)
        hits += [r.top1 for r in result.values()]
        assert all(r.top1 == (i == j) for (i, j), r in zip(enumerate(perm), result.values()))
    assert np.mean(hits) == pytest.approx(0.25)
    # a one-shot film has nothing to confuse: top-1 with its own score as the margin
    alone = caption_retrieval(net, {"s0": clips["s0"]}, {"s0": captions["s0"]})["s0"]
    assert alone.top1 and alone.best_other is None and alone.margin == pytest.approx(alone.own)
    # slots without frames or captions are left out, not scored
    assert set(caption_retrieval(net, {**clips, "s1": []}, captions)) == {"s0", "s2", "s3"}
