"""SFT of students (`distill train-student`): TRL's SFTTrainer on filtered traces.

`trainer.py` runs it (checks first, then the manifest, then training); `config.py` is the section;
`data.py` and `labels.py` turn traces into tokenized examples with the loss on the assistant turns;
`chat_template.py` checks or replaces the model's template; `launch.py` re-enters through
`accelerate launch -m distill.train.sft.entry` for several processes; `progress.py` is the bar.
"""
